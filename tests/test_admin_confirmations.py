"""Actions over fans' accounts ask first, saying what they will do; only the confirmed POST acts."""

import pytest
from django.urls import reverse

from discussions.models import Comment
from moderation import decisions
from moderation.models import ModerationEvent, Suspension
from tests.factories import make_comment, make_moderator, make_suspension, make_user

pytestmark = pytest.mark.django_db

COMMENTS = reverse("admin:discussions_comment_changelist")
QUEUE = reverse("admin:moderation_reportedcomment_changelist")
SUSPENSIONS = reverse("admin:moderation_suspension_changelist")


@pytest.fixture
def spam(concern):
    spammer = make_user("spammer")
    return [make_comment(concern, author=spammer, body=f"Buy now {i}") for i in range(3)]


@pytest.fixture
def moderator_client(client):
    client.force_login(make_moderator())
    return client


def remove(client, comments, **fields):
    return client.post(
        COMMENTS,
        {
            "action": "remove_authors_as_spam",
            "_selected_action": [c.pk for c in comments],
            **fields,
        },
    )


def lift(client, suspensions, **fields):
    return client.post(
        SUSPENSIONS,
        {"action": "lift_suspensions", "_selected_action": [s.pk for s in suspensions], **fields},
    )


def test_spam_removal_first_asks_and_changes_nothing(moderator_client, spam):
    response = remove(moderator_client, spam[:1])
    assert response.status_code == 200
    assert "Remove these fans as spammers?" in response.text
    assert not Suspension.objects.exists()
    assert not ModerationEvent.objects.exists()
    assert set(Comment.objects.values_list("status", flat=True)) == {"visible"}


def test_spam_removal_confirmation_says_what_will_happen(moderator_client, spam):
    html = remove(moderator_client, spam[:1]).text
    assert "1 fan will be suspended permanently." in html
    assert "3 comments of theirs will be hidden from the site." in html
    assert "spammer" in html


def test_spam_removal_confirmation_names_the_staff_it_leaves_alone(moderator_client, concern, spam):
    staff = make_comment(concern, author=make_moderator("mod_lee"))
    html = remove(moderator_client, [staff, spam[0]]).text
    assert "mod_lee" in html
    assert "1 fan will be suspended permanently." in html


def test_spam_removal_confirmation_carries_the_selection(moderator_client, spam):
    html = remove(moderator_client, spam[:2]).text
    for comment in spam[:2]:
        assert f'name="_selected_action" value="{comment.pk}"' in html
    assert 'name="post" value="yes"' in html
    assert 'name="action" value="remove_authors_as_spam"' in html


def test_confirmed_spam_removal_removes(moderator_client, spam):
    response = remove(moderator_client, spam[:1], post="yes")
    assert response.status_code == 302
    assert Suspension.objects.get().user.username == "spammer"
    assert set(Comment.objects.values_list("status", flat=True)) == {"hidden"}


def test_spam_removal_from_the_queue_asks_too(moderator_client, spam):
    decisions.report_comment(spam[0], make_user(), "spam")
    response = moderator_client.post(
        QUEUE, {"action": "remove_authors_as_spam", "_selected_action": [spam[0].pk]}
    )
    assert "Remove these fans as spammers?" in response.text
    assert not Suspension.objects.exists()


def test_lifting_first_asks_and_changes_nothing(moderator_client):
    suspensions = [make_suspension(make_user(f"fan_{i}")) for i in range(2)]
    response = lift(moderator_client, suspensions)
    assert response.status_code == 200
    assert "2 suspensions will be lifted now." in response.text
    assert "fan_0" in response.text
    assert not Suspension.objects.filter(lifted_at__isnull=False).exists()


def test_confirmed_lifting_lifts(moderator_client):
    suspensions = [make_suspension(make_user()) for _ in range(2)]
    response = lift(moderator_client, suspensions, post="yes")
    assert response.status_code == 302
    assert Suspension.objects.filter(lifted_at__isnull=False).count() == 2


def test_a_fan_cannot_confirm_for_a_moderator(client, spam):
    client.force_login(make_user())
    response = remove(client, spam[:1], post="yes")
    assert response.status_code == 302
    assert "login" in response.url
    assert not Suspension.objects.exists()


def test_spam_removal_of_staff_alone_asks_nothing_and_says_why(moderator_client, concern):
    staff_comment = make_comment(concern, author=make_moderator("other_mod"))
    response = moderator_client.post(
        COMMENTS,
        {"action": "remove_authors_as_spam", "_selected_action": [staff_comment.pk]},
        follow=True,
    )
    assert "Remove these fans as spammers?" not in response.text
    assert "Not removed: other_mod." in response.text
    assert not Suspension.objects.exists()
