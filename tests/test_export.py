"""A fan takes away everything the site keeps about them, as one JSON file."""

import json

import pytest

from discussions.authoring import edit_comment
from moderation import decisions
from notifications.delivery import follow_concern, notify_reply
from notifications.models import MailPreference
from tests.factories import make_comment, make_user, make_vote

pytestmark = pytest.mark.django_db


def download(client):
    response = client.post("/accounts/export/")
    assert response.status_code == 200
    return response, json.loads(response.content)


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.post("/accounts/export/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_page_explains_and_offers_the_download(fan_client):
    html = fan_client.get("/accounts/export/").text
    assert "Download my data" in html
    assert 'action="/accounts/export/"' in html


def test_the_download_is_a_json_attachment_kept_by_nobody_on_the_way(fan_client, fan):
    response, _data = download(fan_client)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert fan.username in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"


def test_it_holds_the_fans_votes_and_their_history(fan_client, fan, concern):
    make_vote(concern, user=fan, verdict="justified")
    make_vote(concern, user=fan, verdict="overblown")
    _response, data = download(fan_client)
    assert [v["verdict"] for v in data["votes"]] == ["overblown"]
    assert [e["action"] for e in data["vote_history"]] == ["cast", "change"]
    assert data["votes"][0]["concern__slug"] == concern.slug


def test_it_holds_comments_with_their_earlier_versions(fan_client, fan, concern):
    comment = make_comment(concern, author=fan, body="First words")
    edit_comment(fan, comment, body="Better words", is_spoiler=False, stance="justified")
    _response, data = download(fan_client)
    (saved,) = data["comments"]
    assert saved["body"] == "Better words"
    assert [v["body"] for v in saved["earlier_versions"]] == ["First words"]


def test_it_holds_follows_reports_and_notifications(fan_client, fan, concern):
    follow_concern(fan, concern)
    theirs = make_comment(concern, body="Another view")
    decisions.report_comment(theirs, fan, "spam", note="Looks like an ad")
    mine = make_comment(concern, author=fan)
    notify_reply(make_comment(author=make_user(), parent=mine))
    _response, data = download(fan_client)
    assert data["follows"][0]["concern__slug"] == concern.slug
    assert data["reports_made"][0]["note"] == "Looks like an ad"
    assert data["notifications"][0]["kind"] == "reply"


def test_it_holds_nobody_elses_rows(fan_client, concern):
    other = make_user("someone_else")
    make_vote(concern, user=other)
    make_comment(concern, author=other, body="Not yours")
    _response, data = download(fan_client)
    assert data["profile"]["username"] != "someone_else"
    assert (data["votes"], data["comments"]) == ([], [])


def test_a_korean_username_names_the_file(client):
    fan = make_user("남온조")
    client.force_login(fan)
    response, data = download(client)
    assert data["profile"]["username"] == "남온조"
    assert "filename*=utf-8''" in response["Content-Disposition"]


def test_it_holds_the_mail_settings(fan_client, fan):
    MailPreference.objects.create(user=fan, replies="never", language="ko")
    _response, data = download(fan_client)
    assert data["mail_settings"] == {"replies": "never", "updates": "digest", "language": "ko"}
