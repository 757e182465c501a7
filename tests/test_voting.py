import re

import pytest
from django.urls import reverse

from opinion.models import Vote, VoteEvent
from opinion.voting import Outcome, cast_vote

pytestmark = pytest.mark.django_db


def vote_url(concern):
    return reverse("discussions:concern-vote", args=[concern.slug])


def current_verdict(fan, concern):
    return Vote.objects.filter(user=fan, concern=concern).values_list("verdict", flat=True).first()


def test_cast_creates_vote_and_history(fan, concern):
    assert cast_vote(fan, concern, "justified") == Outcome.CAST
    assert current_verdict(fan, concern) == "justified"
    event = VoteEvent.objects.get()
    assert (event.action, event.verdict, event.previous_verdict) == ("cast", "justified", "")


def test_change_updates_vote_and_records_previous(fan, concern):
    cast_vote(fan, concern, "justified")
    assert cast_vote(fan, concern, "overblown") == Outcome.CHANGED
    assert current_verdict(fan, concern) == "overblown"
    event = VoteEvent.objects.first()
    assert (event.action, event.verdict, event.previous_verdict) == (
        "change",
        "overblown",
        "justified",
    )


def test_clear_removes_vote_and_records_it(fan, concern):
    cast_vote(fan, concern, "overblown")
    assert cast_vote(fan, concern, "clear") == Outcome.CLEARED
    assert current_verdict(fan, concern) is None
    event = VoteEvent.objects.first()
    assert (event.action, event.verdict, event.previous_verdict) == ("clear", "", "overblown")


def test_same_verdict_again_changes_nothing(fan, concern):
    cast_vote(fan, concern, "justified")
    assert cast_vote(fan, concern, "justified") == Outcome.UNCHANGED
    assert Vote.objects.count() == 1
    assert VoteEvent.objects.count() == 1


def test_clear_without_vote_records_nothing(fan, concern):
    assert cast_vote(fan, concern, "clear") == Outcome.NOTHING_TO_CLEAR
    assert VoteEvent.objects.count() == 0


def test_unknown_verdict_is_refused(fan, concern):
    with pytest.raises(ValueError):
        cast_vote(fan, concern, "maybe")


def test_anonymous_vote_redirects_to_login_with_next(client, concern):
    response = client.post(vote_url(concern), {"verdict": "justified"})
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next=/concerns/{concern.slug}/"
    assert Vote.objects.count() == 0


def test_vote_view_casts_and_returns_to_concern_with_message(fan_client, fan, concern):
    response = fan_client.post(vote_url(concern), {"verdict": "justified"}, follow=True)
    assert response.redirect_chain[-1][0] == concern.get_absolute_url()
    assert "Your vote is in: justified." in response.text
    assert current_verdict(fan, concern) == "justified"


def test_vote_view_changes_vote(fan_client, fan, concern):
    fan_client.post(vote_url(concern), {"verdict": "justified"})
    response = fan_client.post(vote_url(concern), {"verdict": "overblown"}, follow=True)
    assert "You changed your vote to overblown." in response.text
    assert current_verdict(fan, concern) == "overblown"


def test_vote_view_clears_vote(fan_client, fan, concern):
    fan_client.post(vote_url(concern), {"verdict": "justified"})
    response = fan_client.post(vote_url(concern), {"verdict": "clear"}, follow=True)
    assert "Your vote was removed." in response.text
    assert current_verdict(fan, concern) is None


def test_vote_view_repost_says_nothing_changed(fan_client, concern):
    fan_client.post(vote_url(concern), {"verdict": "justified"})
    response = fan_client.post(vote_url(concern), {"verdict": "justified"}, follow=True)
    assert "Your vote was already justified." in response.text
    assert VoteEvent.objects.count() == 1


@pytest.mark.parametrize("data", [{}, {"verdict": "meh"}, {"verdict": "\x00"}])
def test_vote_view_bad_verdict_explains_and_saves_nothing(fan_client, concern, data):
    response = fan_client.post(vote_url(concern), data, follow=True)
    assert response.status_code == 200
    assert "Choose justified or overblown." in response.text
    assert Vote.objects.count() == 0


def test_vote_view_unknown_concern_is_404(fan_client):
    response = fan_client.post("/concerns/no-such-fear/vote/", {"verdict": "justified"})
    assert response.status_code == 404


def test_vote_view_get_goes_back_to_concern(fan_client, concern):
    response = fan_client.get(vote_url(concern))
    assert response.status_code == 302
    assert response.url == concern.get_absolute_url()


def test_concern_page_marks_current_vote(fan_client, concern):
    fan_client.post(vote_url(concern), {"verdict": "overblown"})
    response = fan_client.get(concern.get_absolute_url())
    pressed = re.findall(r'<button [^>]*id="vote-(\w+)"[^>]*aria-pressed="true"', response.text)
    assert pressed == ["overblown"]
    assert response.context["page"].user_vote.verdict == "overblown"
    assert "Clear my vote" in response.text


def test_history_replays_to_current_votes(fan, concern):
    for verdict in ["justified", "overblown", "clear", "overblown", "justified"]:
        cast_vote(fan, concern, verdict)
    replayed = None
    for event in VoteEvent.objects.order_by("created_at", "pk"):
        replayed = event.verdict or None
    assert replayed == current_verdict(fan, concern) == "justified"


def test_inline_vote_after_session_expired_goes_to_login(client, concern):
    response = client.post(vote_url(concern), {"verdict": "justified"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == f"/accounts/login/?next=/concerns/{concern.slug}/"
