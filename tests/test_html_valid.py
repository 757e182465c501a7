"""Every page is valid HTML, as the Nu Html Checker (vnu, from npm's vnu-jar) judges it.

The pages are rendered with realistic data, anonymous and signed in, then
checked in one run of vnu: the JVM takes seconds to start, so batching keeps
this test quick. htmx answers are fragments; each is checked inside a minimal
document so that only the fragment's own markup can fail.
"""

import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.muting import mute
from discussions.models import HelpfulMark
from moderation import decisions
from moderation.models import Rule
from news.models import Effect
from notifications.delivery import notify_reply
from notifications.mail import unsubscribe_token
from opinion.models import DailyShift, Vote
from privacy.deletion import delete_account
from tests.factories import (
    age_account,
    make_comment,
    make_concern,
    make_moderator,
    make_update,
    make_user,
    make_vote,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java") or "/usr/bin/java"
# Errors only, as JSON; the exit status says nothing the JSON does not.
VNU_OPTIONS = ["--format", "json", "--errors-only", "--no-langdetect", "--exit-zero-always"]
HTMX = {"HTTP_HX_REQUEST": "true"}
FRAGMENT = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    "<title>htmx answer</title></head><body>{}</body></html>"
)
# Checked with the pages; if vnu does not flag it, its output is not being read.
CANARY = FRAGMENT.format('<time datetime="not a time">canary</time>')


@pytest.fixture
def vnu():
    """Return a function that checks HTML files and lists vnu's errors."""
    missing = [str(path) for path in (Path(JAVA), VNU_JAR) if not path.exists()]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"Missing {', '.join(missing)}; `make test` runs `npm ci` for vnu.jar.")
        pytest.skip(f"No {', '.join(missing)}: run `npm ci` and apt-get install default-jre")

    def check(folder):
        (folder / "canary.html").write_text(CANARY)
        result = subprocess.run(
            [JAVA, "-jar", str(VNU_JAR), *VNU_OPTIONS, str(folder)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"vnu crashed: {result.stderr[-2000:]}"
        errors = json.loads(result.stderr)["messages"]
        flagged = [error for error in errors if error.get("url", "").endswith("/canary.html")]
        assert flagged, f"vnu did not flag the canary: {result.stderr[:2000]}"
        return [error for error in errors if error not in flagged]

    return check


@pytest.fixture
def site(db):
    """A fear mid-argument: votes over days, news, a thread with replies and moderation."""
    concern = make_concern(
        title="Sequel syndrome",
        slug="sequel-syndrome",
        description="Season 2 loses what made the first season work.",
    )
    fan = age_account(make_user("nam_onjo"))
    others = [age_account(make_user(name)) for name in ("lee_cheongsan", "choi_namra", "yoon_gwi")]
    for user, verdict in zip(others, ("justified", "justified", "overblown"), strict=True):
        make_vote(concern, user, verdict)
    DailyShift.objects.filter(concern=concern).update(
        day=timezone.localdate() - datetime.timedelta(days=3)
    )
    make_vote(concern, fan, "overblown")
    # The fan voted before the news below, which goes against their vote, so
    # the page asks them to reconsider.
    Vote.objects.filter(user=fan).update(confirmed_at=timezone.now() - datetime.timedelta(days=2))
    update = make_update(
        [(concern, Effect.CONFIRMS)],
        title="Filming wraps with a new lead",
        slug="filming-wraps",
        published_at=timezone.now() - datetime.timedelta(days=1),
    )
    root = make_comment(
        concern, author=others[0], stance="justified", body="The cast is half new.\nIt shows."
    )
    reply = make_comment(parent=root, author=fan, stance="overblown", body="New can be good.")
    notify_reply(make_comment(parent=reply, author=others[1], body="Not this new."))
    make_comment(concern, author=others[1], stance="overblown", is_spoiler=True, body="Onjo lives.")
    own = make_comment(concern, author=fan, stance="justified", body="See https://example.com")
    make_comment(concern, author=others[2], body=MARKDOWN)
    troll = make_comment(parent=root, author=others[2], body="Rude words")
    decisions.hide_comments([troll], make_moderator("mod_minjae"), Rule.RESPECT, "Insults")
    HelpfulMark.objects.create(user=fan, comment=root)
    HelpfulMark.objects.create(user=others[0], comment=own)
    # A name of their own, public votes and a fan muted: every part of a profile, and a fold.
    fan.display_name, fan.bio, fan.votes_public = "On-jo", "Class 2-5.\nStill here.", True
    fan.save()
    mute(fan, others[2])
    # A fan who left: their answered comment stays, signed "[deleted account]".
    gone = make_user("gone_fan")
    make_comment(parent=make_comment(concern, author=gone, body="Before I go"), author=others[0])
    delete_account(gone)
    return {
        "concern": concern,
        "fan": fan,
        "update": update,
        "root": root,
        "reply": reply,
        "own": own,
    }


# Every part of the comments' Markdown subset, a mention and an inline spoiler.
MARKDOWN = (
    "**Loud**, _soft_ and ||a secret|| for @nam_onjo\n\n> quoted\n\n1. one\n2. two\n\n"
    "- [a link](https://example.com)\n\n`code` and\n\n```\n<block>\n```"
)


def public_pages(client, site):
    concern_url = site["concern"].get_absolute_url()
    return {
        "home": client.get("/"),
        "concern": client.get(concern_url),
        "concern-top-justified": client.get(concern_url, {"sort": "top", "stance": "justified"}),
        "update": client.get(site["update"].get_absolute_url()),
        "updates": client.get("/updates/"),
        "moderation-log": client.get("/moderation/"),
        "rules": client.get("/rules/"),
        "privacy": client.get("/privacy/"),
        "terms": client.get("/terms/"),
        "takedown": client.get("/takedown/"),
        "fan-profile": client.get("/fans/nam_onjo/"),
        "search": client.get("/search/", {"q": "zombie"}),
        "search-empty": client.get("/search/", {"q": " "}),
    }


def anonymous_pages(client, site):
    bad_signup = {"username": "x", "password1": "short", "password2": "other"}
    token = unsubscribe_token(site["own"].author, ["reply", "update"])
    unsubscribe = f"/notifications/unsubscribe/{token}/"
    return {
        **public_pages(client, site),
        "concern-ko": client.get(site["concern"].get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ko"),
        "signup": client.get("/accounts/signup/"),
        "signup-errors": client.post("/accounts/signup/", bad_signup),
        "login": client.get("/accounts/login/"),
        "login-errors": client.post("/accounts/login/", {"login": "nam_onjo", "password": "wrong"}),
        "password-reset": client.get("/accounts/password/reset/"),
        "password-reset-errors": client.post("/accounts/password/reset/", {"email": "no"}),
        "password-reset-done": client.get("/accounts/password/reset/done/"),
        "password-reset-bad-key": client.get("/accounts/password/reset/key/zz-bad/"),
        "confirm-email-bad-key": client.get("/accounts/confirm-email/not-a-key/"),
        "verification-sent": client.get("/accounts/confirm-email/"),
        "inactive": client.get("/accounts/inactive/"),
        "unsubscribe-ask": client.get(unsubscribe),
        "unsubscribe-done": client.post(unsubscribe),
        "unsubscribe-invalid": client.get("/notifications/unsubscribe/not-a-token/"),
    }


def signed_in_pages(client, site):
    concern = site["concern"]
    comment_url = f"/concerns/{concern.slug}/comments/"
    return {
        **public_pages(client, site),
        "notifications": client.get("/notifications/"),
        "comment-edit": client.get(f"/comments/{site['own'].pk}/edit/"),
        "comment-delete": client.get(f"/comments/{site['own'].pk}/delete/"),
        "report": client.get(f"/comments/{site['root'].pk}/report/"),
        "reply": client.get(f"/comments/{site['root'].pk}/reply/"),
        "comment-errors": client.post(comment_url, {"body": " ", "stance": "undecided"}),
        "comment-preview": client.post(comment_url, {"body": MARKDOWN, "preview": "1"}),
        "reply-quote": client.get(f"/comments/{site['root'].pk}/reply/?quote=1"),
        "reply-preview": client.post(
            comment_url, {"body": MARKDOWN, "parent": site["root"].pk, "preview": "1"}
        ),
        "edit-preview": client.post(
            f"/comments/{site['own'].pk}/edit/", {"body": MARKDOWN, "preview": "1"}
        ),
        "account-email": client.get("/accounts/email/"),
        "account-email-errors": client.post(
            "/accounts/email/", {"action_add": "", "email": "not an address"}
        ),
        "password-change": client.get("/accounts/password/change/"),
        "password-change-errors": client.post(
            "/accounts/password/change/", {"oldpassword": "x", "password1": "y", "password2": "z"}
        ),
        "reauthenticate": client.get("/accounts/reauthenticate/"),
        "logout-confirm": client.get("/accounts/logout/"),
        "export": client.get("/accounts/export/"),
        "delete-account": client.get("/accounts/delete/"),
        "delete-account-errors": client.post("/accounts/delete/", {"password": "wrong"}),
        "mail-settings": client.get("/notifications/mail/"),
        "mail-settings-errors": client.post("/notifications/mail/", {"replies": "hourly"}),
        "two-factor": client.get("/accounts/2fa/"),
        "fan-profile-muted": client.get("/fans/yoon_gwi/"),
        "profile-settings": client.get("/accounts/profile/"),
        "profile-settings-errors": client.post(
            "/accounts/profile/", {"display_name": "lee_cheongsan", "bio": "x" * 301}
        ),
    }


def htmx_answers(client, site):
    concern, root, reply = site["concern"], site["root"], site["reply"]
    base = f"/concerns/{concern.slug}"
    return {
        "load-more": client.get(f"{base}/", HTTP_HX_TARGET="load-more", **HTMX),
        "new-comments": client.get(f"{base}/", HTTP_HX_TARGET="comment-list", **HTMX),
        "vote": client.post(f"{base}/vote/", {"verdict": "overblown"}, **HTMX),
        "reply-form": client.get(f"/comments/{root.pk}/reply/", **HTMX),
        "keep": client.post(f"{base}/keep/", **HTMX),
        "unfollow": client.post(f"{base}/follow/", {"follow": "0"}, **HTMX),
        "helpful": client.post(f"/comments/{root.pk}/helpful/", {"next": f"{base}/"}, **HTMX),
        "comment-posted": client.post(
            f"{base}/comments/", {"body": "Inline take", "stance": "justified"}, **HTMX
        ),
        "reply-posted": client.post(
            f"{base}/comments/", {"body": "Inline reply", "parent": reply.pk}, **HTMX
        ),
        "comment-refused": client.post(f"{base}/comments/", {"body": " "}, **HTMX),
        "comment-preview": client.post(
            f"{base}/comments/",
            {"body": MARKDOWN, "preview": "1"},
            HTTP_HX_TARGET="comment-form",
            **HTMX,
        ),
        "reply-preview": client.post(
            f"{base}/comments/", {"body": MARKDOWN, "parent": root.pk, "preview": "1"}, **HTMX
        ),
        "reply-quote": client.get(f"/comments/{root.pk}/reply/?quote=1", **HTMX),
        "reply-refused": client.post(f"{base}/comments/", {"body": " ", "parent": root.pk}, **HTMX),
    }


def write(folder, prefix, responses, wrap=False):
    for name, response in responses.items():
        # 400 is a form shown again with its errors; anything else is not the page meant.
        assert response.status_code in (200, 400), (name, response.status_code)
        assert response["Content-Type"].startswith("text/html"), name
        html = response.content.decode()
        (folder / f"{prefix}-{name}.html").write_text(FRAGMENT.format(html) if wrap else html)


def describe(error, folder):
    where = error.get("url", "").removeprefix(f"file:{folder}/")
    extract = " ".join(error.get("extract", "").split())
    return f"{where}:{error.get('lastLine', '?')}: {error['message']}\n    {extract}"


def test_every_page_and_inline_answer_is_valid_html(client, site, tmp_path, vnu, settings):
    # Inline posts follow each other faster than a fan may; limits have their own tests.
    settings.RATELIMIT_ENABLE = False
    write(tmp_path, "anonymous", anonymous_pages(client, site))
    client.force_login(site["fan"])
    write(tmp_path, "fan", signed_in_pages(client, site))
    write(tmp_path, "htmx", htmx_answers(client, site), wrap=True)

    errors = vnu(tmp_path)

    report = "\n".join(describe(error, tmp_path) for error in errors)
    assert not errors, f"vnu found {len(errors)} errors:\n{report}"
