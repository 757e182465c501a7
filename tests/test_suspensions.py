import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from discussions.models import Comment, Vote
from moderation import decisions
from moderation.models import ModerationEvent, Suspension
from tests.factories import PASSWORD, make_comment, make_moderator, make_suspension, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspended(fan):
    make_suspension(fan, days=3)
    return fan


def test_suspended_fan_can_still_read_and_sign_in(client, suspended, concern):
    response = client.post(
        "/accounts/login/", {"username": suspended.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(concern.get_absolute_url()).status_code == 200


def test_concern_page_shows_notice_with_end_date_instead_of_forms(fan_client, suspended, concern):
    html = fan_client.get(concern.get_absolute_url()).text
    assert "Your account is suspended." in html
    assert "It ends on" in html
    assert "Trolling" in html
    assert 'name="verdict"' not in html
    assert 'name="body"' not in html


def test_suspended_fan_cannot_vote(fan_client, suspended, concern):
    response = fan_client.post(f"/concerns/{concern.slug}/vote/", {"verdict": "justified"})
    assert response.status_code == 403
    assert "Your account is suspended." in response.text
    assert not Vote.objects.exists()


def test_suspended_fan_cannot_comment(fan_client, suspended, concern):
    response = fan_client.post(
        f"/concerns/{concern.slug}/comments/", {"body": "Let me in", "stance": "undecided"}
    )
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_suspended_fan_cannot_report(fan_client, suspended, concern):
    other = make_comment(concern)
    response = fan_client.post(f"/comments/{other.pk}/report/", {"reason": "spam"})
    assert response.status_code == 403
    assert "Your account is suspended." in response.text


def test_suspended_fan_cannot_edit(fan_client, fan, concern):
    own = make_comment(concern, author=fan)
    make_suspension(fan)
    response = fan_client.post(f"/comments/{own.pk}/edit/", {"body": "x", "stance": "undecided"})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.body != "x"


def test_permanent_suspension_says_so(fan_client, fan, concern):
    make_suspension(fan, days=None)
    html = fan_client.get(concern.get_absolute_url()).text
    assert "The suspension is permanent." in html


def test_suspension_ends_by_itself(fan_client, fan, concern):
    past = timezone.now() - timezone.timedelta(days=10)
    Suspension.objects.create(
        user=fan, reason="old", starts_at=past, ends_at=past + timezone.timedelta(days=1)
    )
    response = fan_client.post(f"/concerns/{concern.slug}/vote/", {"verdict": "justified"})
    assert response.status_code == 302
    assert Vote.objects.filter(user=fan).exists()


def test_lifted_suspension_no_longer_applies(fan_client, fan, concern):
    suspension = make_suspension(fan)
    decisions.lift_suspension(suspension, make_moderator())
    assert (
        fan_client.post(f"/concerns/{concern.slug}/vote/", {"verdict": "justified"}).status_code
        == 302
    )


def test_moderator_suspends_for_a_week_in_admin(client, fan):
    moderator = make_moderator()
    client.force_login(moderator)
    response = client.post(
        reverse("admin:moderation_suspension_add"),
        {"user": fan.pk, "duration": "7", "ends_at_0": "", "ends_at_1": "", "reason": "Trolling"},
    )
    assert response.status_code == 302
    suspension = Suspension.objects.get()
    assert suspension.created_by == moderator
    days = (suspension.ends_at - timezone.now()).total_seconds() / 86400
    assert 6.9 < days <= 7
    event = ModerationEvent.objects.get(action="suspend")
    assert (event.actor, event.target_user, event.suspension) == (moderator, fan, suspension)
    assert LogEntry.objects.filter(user=moderator).exists()


def test_moderator_suspends_permanently_in_admin(client, fan):
    client.force_login(make_moderator())
    client.post(
        reverse("admin:moderation_suspension_add"),
        {"user": fan.pk, "duration": "permanent", "reason": "Spam"},
    )
    assert Suspension.objects.get().is_permanent


def test_custom_end_date_must_be_in_the_future(client, fan):
    client.force_login(make_moderator())
    response = client.post(
        reverse("admin:moderation_suspension_add"),
        {
            "user": fan.pk,
            "duration": "custom",
            "ends_at_0": "2001-01-01",
            "ends_at_1": "00:00:00",
            "reason": "x",
        },
    )
    assert response.status_code == 200
    assert "The end date must be in the future." in response.text
    assert not Suspension.objects.exists()


def test_suspension_cannot_be_edited_after_it_is_made(client, fan):
    suspension = make_suspension(fan)
    client.force_login(make_moderator())
    url = reverse("admin:moderation_suspension_change", args=[suspension.pk])
    client.post(url, {"reason": "rewritten"})
    suspension.refresh_from_db()
    assert suspension.reason == "Trolling"


def test_moderator_lifts_suspension_with_admin_action(client, fan):
    suspension = make_suspension(fan)
    moderator = make_moderator()
    client.force_login(moderator)
    response = client.post(
        reverse("admin:moderation_suspension_changelist"),
        {"action": "lift_suspensions", "_selected_action": [suspension.pk]},
        follow=True,
    )
    assert "1 suspension lifted." in response.text
    suspension.refresh_from_db()
    assert suspension.lifted_by == moderator
    assert fan.active_suspension() is None
    assert ModerationEvent.objects.filter(action="lift", target_user=fan).exists()


def test_remove_as_spam_hides_everything_and_suspends_permanently(client, concern):
    spammer = make_user("spammer")
    spam = [make_comment(concern, author=spammer, body=f"Buy now {i}") for i in range(3)]
    innocent = make_comment(concern)
    client.force_login(make_moderator())
    response = client.post(
        reverse("admin:discussions_comment_changelist"),
        {"action": "remove_authors_as_spam", "_selected_action": [spam[0].pk]},
        follow=True,
    )
    assert "1 fan removed as a spammer." in response.text
    assert set(Comment.objects.filter(author=spammer).values_list("status", flat=True)) == {
        "hidden"
    }
    innocent.refresh_from_db()
    assert innocent.status == "visible"
    assert spammer.active_suspension().is_permanent
    event = ModerationEvent.objects.get(action="spam_removal")
    assert event.count == 3


def test_remove_as_spam_is_all_or_nothing(monkeypatch, concern):
    spammer = make_user()
    make_comment(concern, author=spammer)

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Suspension.objects, "create", fail)
    with pytest.raises(RuntimeError):
        decisions.remove_as_spam(spammer, make_moderator(), "spam")
    assert Comment.objects.get().status == "visible"


def test_suspended_inline_vote_reloads_the_page_to_show_the_notice(fan_client, suspended, concern):
    response = fan_client.post(
        f"/concerns/{concern.slug}/vote/",
        {"verdict": "justified"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{concern.get_absolute_url()}",
    )
    assert response["HX-Redirect"] == f"http://testserver{concern.get_absolute_url()}"
    assert not Vote.objects.exists()
