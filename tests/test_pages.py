import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from news.models import SeasonUpdate, UpdateEffect
from tests.factories import (
    PASSWORD,
    make_article,
    make_comment,
    make_concern,
    make_update,
    make_vote,
)
from tests.mailbox import outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    return make_article(
        title="Season 2 worst fears",
        publication="A film site",
        author="A. Writer",
        summary="Our own summary of the piece.",
    )


def test_home_shows_article_attribution_and_summary(client, article):
    html = client.get("/").text
    assert "Season 2 worst fears" in html
    assert "An opinion piece by A. Writer in A film site." in html
    assert "Our own summary of the piece." in html


def test_home_shows_each_concern_with_tally_and_comment_count(client, article):
    concern = make_concern(article, title="Tired tropes")
    for verdict in ["justified", "justified", "justified", "overblown"]:
        make_vote(concern, verdict=verdict)
    make_comment(concern)
    html = client.get("/").text
    assert "Tired tropes" in html
    assert "75%" in html and "25%" in html
    assert "(3)" in html and "(1)" in html
    assert '<rect class="bar-justified" x="0" y="0" width="75"' in html
    assert "1 comment" in html
    assert concern.get_absolute_url() in html


def test_home_lists_latest_published_updates_only(client, article):
    make_update(title="Renewal confirmed")
    make_update(title="Secret draft", status=SeasonUpdate.Status.DRAFT, published_at=None)
    html = client.get("/").text
    assert "Renewal confirmed" in html
    assert "Secret draft" not in html


def test_home_without_any_article_explains_itself(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "Nothing has been published yet." in response.text


def test_article_page_by_slug(client, article):
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get("/articles/nope/").status_code == 404


def test_concern_page_shows_tally_forms_and_news(fan_client, article):
    concern = make_concern(article, title="Sidelined survivors")
    make_update(title="Cast returns", effects=[(concern, UpdateEffect.Effect.EASES)])
    html = fan_client.get(concern.get_absolute_url()).text
    assert "Sidelined survivors" in html
    assert "No votes yet" in html
    assert 'name="verdict" value="justified"' in html
    assert 'name="body"' in html
    assert "Cast returns" in html
    assert "Eases the fear" in html


def test_concern_page_for_anonymous_invites_login(client, concern):
    html = client.get(concern.get_absolute_url()).text
    assert "Log in to vote" in html
    assert 'name="body"' not in html


def test_unknown_concern_is_404(client, db):
    response = client.get("/concerns/not-a-fear/")
    assert response.status_code == 404
    assert "Nothing here" in response.text


def test_update_list_is_newest_first_and_hides_drafts_and_future(client, db):
    now = timezone.now()
    make_update(title="Older news", published_at=now - timezone.timedelta(days=3))
    make_update(title="Newer news", published_at=now - timezone.timedelta(days=1))
    make_update(title="Draft news", status=SeasonUpdate.Status.DRAFT, published_at=None)
    make_update(title="Future news", published_at=now + timezone.timedelta(days=1))
    html = client.get("/updates/").text
    assert html.index("Newer news") < html.index("Older news")
    assert "Draft news" not in html
    assert "Future news" not in html


def test_update_detail_shows_effects_on_concerns(client, concern):
    update = make_update(title="Seoul", effects=[(concern, UpdateEffect.Effect.CONFIRMS)])
    html = client.get(update.get_absolute_url()).text
    assert "Seoul" in html
    assert "Confirms the fear" in html
    assert concern.title in html


@pytest.mark.parametrize(
    "fields",
    [
        {"status": SeasonUpdate.Status.DRAFT, "published_at": None},
        {"published_at": timezone.now() + timezone.timedelta(days=1)},
    ],
    ids=["draft", "future"],
)
def test_unpublished_update_detail_is_404(client, db, fields):
    update = make_update(**fields)
    assert client.get(update.get_absolute_url()).status_code == 404


def test_api_lists_concerns_with_tallies(client, concern):
    make_vote(concern, verdict="overblown")
    make_comment(concern)
    make_comment(concern, status="hidden")
    data = client.get("/api/concerns/").json()
    assert data == [
        {
            "slug": concern.slug,
            "title": concern.title,
            "url": f"http://testserver/concerns/{concern.slug}/",
            "justified": 0,
            "overblown": 1,
            "comments": 1,
        }
    ]


def test_api_concern_detail(client, concern):
    data = client.get(f"/api/concerns/{concern.slug}/").json()
    assert (data["slug"], data["justified"], data["overblown"], data["comments"]) == (
        concern.slug,
        0,
        0,
        0,
    )


def test_api_unknown_concern_is_json_404(client, db):
    response = client.get("/api/concerns/nope/")
    assert response.status_code == 404
    assert response.json() == {"error": "No concern with that slug."}


def test_api_refuses_post(client, concern):
    assert client.post("/api/concerns/").status_code == 405


def signup_then_confirm(client, **fields):
    """Sign up and follow the mailed link in the same browser; the answer to the link."""
    client.post(
        "/accounts/signup/",
        {
            "username": "lee_suhyeok",
            "email": "lee_suhyeok@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "is_14_or_older": "on",
            **fields,
        },
    )
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+)", outbox()[-1].body)
    return client.post(link.group(1))


def test_signup_creates_account_and_the_link_signs_in_and_redirects(client, db):
    response = signup_then_confirm(client)
    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/").context["user"].username == "lee_suhyeok"


def test_signup_returns_to_next(client, concern):
    response = signup_then_confirm(client, next=concern.get_absolute_url())
    assert response.url == concern.get_absolute_url()


def test_signup_ignores_offsite_next(client, db):
    response = signup_then_confirm(client, next="https://evil.example/")
    assert response.url == "/"


def test_signup_applies_password_validators(client, db):
    response = client.post(
        "/accounts/signup/", {"username": "x", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    assert "This password is too short." in response.text
    assert not User.objects.filter(username="x").exists()


def test_signup_refuses_username_differing_only_in_case(client, fan):
    response = client.post(
        "/accounts/signup/",
        {"username": fan.username.upper(), "password1": PASSWORD, "password2": PASSWORD},
    )
    assert "That username is taken." in response.text
    assert User.objects.count() == 1


def test_login_and_logout(client, fan):
    response = client.post("/accounts/login/", {"username": fan.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").context["user"] == fan
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


def test_pages_send_a_strict_content_security_policy(client, db):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.parametrize(
    "url", ["/", "/updates/", "/accounts/signup/", "/accounts/login/", "CONCERN", "UPDATE"]
)
def test_no_page_uses_inline_script_or_style(fan_client, concern, url):
    make_comment(concern, is_spoiler=True)
    update = make_update(effects=[(concern, "eases")])
    url = {"CONCERN": concern.get_absolute_url(), "UPDATE": update.get_absolute_url()}.get(url, url)
    html = fan_client.get(url).text
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all(" src=" in tag for tag in scripts)
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html)
    assert " style=" not in html
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_favicon_ico_redirects_to_the_site_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.endswith("img/favicon.svg")


def test_expired_csrf_token_gets_a_friendly_page(fan, concern):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(fan)
    response = strict.post(f"/concerns/{concern.slug}/comments/", {"body": "Lost?"})
    assert response.status_code == 403
    assert "Your session needs a refresh" in response.text
