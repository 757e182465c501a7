"""A fan whose comment was hidden sees why, and may ask for a review once."""

import json

import pytest
from django.urls import reverse

from discussions.models import Comment
from moderation import decisions
from moderation.models import ModerationEvent, ReviewRequest, Rule
from notifications.models import Notification
from tests.factories import make_comment, make_curator, make_moderator, make_user

pytestmark = pytest.mark.django_db

REVIEWS = reverse("admin:moderation_reviewrequest_changelist")


@pytest.fixture
def author(db):
    return make_user("cheong_san")


@pytest.fixture
def hidden(concern, author):
    comment = make_comment(concern, author=author, body="You are all idiots")
    decisions.hide_comments([comment], make_moderator("mod_minjae"), Rule.RESPECT, "Insults")
    return comment


def page(comment):
    return f"/comments/{comment.pk}/moderation/"


def ask(client, comment, message="I was quoting the show."):
    return client.post(page(comment), {"message": message}, follow=True)


def decide_in_admin(client, action, *reviews):
    return client.post(
        REVIEWS,
        {"action": action, "_selected_action": [review.pk for review in reviews]},
        follow=True,
    )


def test_decision_page_is_at_the_printed_path(hidden):
    assert reverse("moderation:comment-decision", args=[hidden.pk]) == page(hidden)


def test_anonymous_visitor_is_sent_to_log_in(client, hidden):
    response = client.get(page(hidden))
    assert response.status_code == 302
    assert "login" in response.url


def test_another_fan_is_refused(client, hidden):
    client.force_login(make_user())
    assert client.get(page(hidden)).status_code == 403


def test_author_sees_the_rule_and_the_comment(client, hidden, author):
    client.force_login(author)
    response = client.get(page(hidden))
    assert response.status_code == 200
    assert str(Rule.RESPECT.label) in response.text
    assert "You are all idiots" in response.text
    assert 'name="message"' in response.text


def test_author_does_not_see_the_moderators_note(client, hidden, author):
    client.force_login(author)
    assert "Insults" not in client.get(page(hidden)).text


def test_moderator_sees_the_note_and_no_form(client, hidden):
    client.force_login(make_moderator())
    response = client.get(page(hidden))
    assert response.status_code == 200
    assert "Insults" in response.text
    assert 'name="message"' not in response.text


def test_curator_is_refused(client, hidden):
    client.force_login(make_curator())
    assert client.get(page(hidden)).status_code == 403


def test_a_visible_comment_sends_its_author_to_the_thread(client, concern, author):
    comment = make_comment(concern, author=author)
    client.force_login(author)
    response = client.get(page(comment))
    assert response.status_code == 302
    assert response.url == comment.get_absolute_url()


def test_author_asks_for_a_review(client, hidden, author):
    client.force_login(author)
    response = ask(client, hidden)
    assert "A moderator will look again" in response.text
    review = ReviewRequest.objects.get()
    assert (review.comment, review.requester, review.message) == (
        hidden,
        author,
        "I was quoting the show.",
    )
    assert review.status == ReviewRequest.Status.OPEN


def test_a_review_may_be_asked_without_a_message(client, hidden, author):
    client.force_login(author)
    ask(client, hidden, message="")
    assert ReviewRequest.objects.get().message == ""


def test_a_second_request_is_refused_with_a_clear_message(client, hidden, author):
    client.force_login(author)
    ask(client, hidden)
    response = ask(client, hidden, message="Please!")
    assert "You already asked for a review of this decision" in response.text
    assert ReviewRequest.objects.count() == 1


def test_a_second_request_straight_to_the_operation_is_refused(hidden, author):
    decisions.request_review(hidden, author)
    with pytest.raises(decisions.AlreadyAskedForReview):
        decisions.request_review(hidden, author)


def test_another_fan_may_not_post_a_request(client, hidden):
    client.force_login(make_user())
    assert client.post(page(hidden), {"message": "Free them"}).status_code == 403
    assert not ReviewRequest.objects.exists()


def test_a_too_long_message_is_kept_and_refused(client, hidden, author):
    client.force_login(author)
    response = client.post(page(hidden), {"message": "x" * 1001})
    assert response.status_code == 400
    assert "x" * 1001 in response.text
    assert not ReviewRequest.objects.exists()


def test_spam_removal_offers_no_review(client, concern, author):
    comment = make_comment(concern, author=author)
    decisions.remove_as_spam(author, make_moderator(), "Ads")
    with pytest.raises(decisions.NotHiddenByModerators):
        decisions.request_review(comment, author)
    client.force_login(author)
    assert 'name="message"' not in client.get(page(comment)).text


def test_moderators_see_requests_in_the_admin(client, hidden, author):
    decisions.request_review(hidden, author, "Context matters")
    client.force_login(make_moderator())
    response = client.get(REVIEWS)
    assert response.status_code == 200
    assert "Context matters" in response.text


def test_curators_may_not_see_requests(client, hidden, author):
    decisions.request_review(hidden, author)
    client.force_login(make_curator())
    assert client.get(REVIEWS).status_code == 403


def test_restoring_grants_the_request(client, hidden, author):
    review = decisions.request_review(hidden, author)
    client.force_login(make_moderator())
    decide_in_admin(client, "restore_comments", review)
    hidden.refresh_from_db()
    review.refresh_from_db()
    assert hidden.status == Comment.Status.VISIBLE
    assert review.status == ReviewRequest.Status.RESTORED


def test_upholding_keeps_it_hidden_and_logs_it(client, hidden, author):
    review = decisions.request_review(hidden, author)
    client.force_login(make_moderator())
    decide_in_admin(client, "keep_hidden", review)
    hidden.refresh_from_db()
    review.refresh_from_db()
    assert hidden.status == Comment.Status.HIDDEN
    assert review.status == ReviewRequest.Status.UPHELD
    uphold = ModerationEvent.objects.get(action=ModerationEvent.Action.UPHOLD)
    assert uphold.rule == Rule.RESPECT


@pytest.mark.parametrize(
    ("decide", "told"),
    [
        (decisions.restore_comments, "put your comment back"),
        (decisions.uphold_hide, "kept your comment hidden"),
    ],
)
def test_the_author_is_told_the_outcome(client, hidden, author, decide, told):
    decisions.request_review(hidden, author)
    decide([hidden], make_moderator())
    assert Notification.objects.filter(recipient=author).count() == 2
    client.force_login(author)
    assert told in client.get("/notifications/").text


def test_upholding_needs_a_request(hidden):
    assert decisions.uphold_hide([hidden], make_moderator()) == []
    assert not ModerationEvent.objects.filter(action=ModerationEvent.Action.UPHOLD).exists()


def test_a_fan_may_not_decide_reviews(hidden, author):
    decisions.request_review(hidden, author)
    with pytest.raises(decisions.MayNotModerate):
        decisions.uphold_hide([hidden], make_user())


def test_hidden_again_after_a_restore_may_be_reviewed_again(hidden, author):
    moderator = make_moderator()
    decisions.request_review(hidden, author)
    decisions.restore_comments([hidden], moderator)
    decisions.hide_comments([hidden], moderator, Rule.SPAM)
    decisions.request_review(hidden, author)
    assert ReviewRequest.objects.count() == 2


def test_readme_field_as_printed(client, hidden, author):
    client.force_login(author)
    assert client.post(f"/comments/{hidden.pk}/moderation/", {"message": ""}).status_code == 302
    assert ReviewRequest.objects.filter(comment=hidden).exists()


def test_the_fans_data_export_holds_their_requests(client, hidden, author):
    decisions.request_review(hidden, author, "It was a quote")
    client.force_login(author)
    data = json.loads(client.post("/accounts/export/").content)
    assert [r["message"] for r in data["review_requests"]] == ["It was a quote"]
