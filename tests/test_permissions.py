"""Who may do what: every role against every admin page and state-changing view.

Roles, in order: anonymous, fan (the author), other fan, moderator, curator,
superuser. Each cell is the exact answer expected; none may be a 500.
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from discussions.models import Comment
from moderation.models import Rule, Suspension
from news.models import SeasonUpdate
from tests.factories import make_comment, make_curator, make_moderator, make_user

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "fan", "other_fan", "moderator", "curator", "superuser"]
LOGIN = "login"  # a redirect to a login page

MODERATOR_SEES = {
    "discussions.comment",
    "discussions.article",
    "discussions.concern",
    "news.seasonupdate",
    "news.updateeffect",
    "opinion.vote",
    "opinion.voteevent",
    "moderation.report",
    "moderation.reportedcomment",
    "moderation.suspension",
    "moderation.moderationevent",
    "moderation.reviewrequest",
    "accounts.user",
}
CURATOR_SEES = {
    "discussions.article",
    "discussions.concern",
    "news.seasonupdate",
    "news.updateeffect",
}
REGISTERED = sorted(f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry)


@pytest.fixture
def world(concern):
    fan = make_user("author_fan")
    return {
        "concern": concern,
        "fan": fan,
        "comment": make_comment(concern, author=fan, body="Original words"),
        "users": {
            "fan": fan,
            "other_fan": make_user("other_fan"),
            "moderator": make_moderator("the_moderator"),
            "curator": make_curator("the_curator"),
            "superuser": make_user("the_boss", is_staff=True, is_superuser=True),
        },
    }


def client_for(world, role):
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def assert_answer(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert "login" in response.url
    else:
        assert response.status_code == expected


def admin_changelist_answer(role, model):
    if role in {"anonymous", "fan", "other_fan"}:
        return LOGIN
    if role == "superuser":
        return 200
    allowed = MODERATOR_SEES if role == "moderator" else CURATOR_SEES
    return 200 if model in allowed else 403


def test_every_registered_model_is_in_the_matrix():
    unexpected = set(REGISTERED) - MODERATOR_SEES - CURATOR_SEES
    assert unexpected == {
        "account.emailaddress",
        "accounts.mute",
        "auth.group",
        "axes.accessattempt",
        "axes.accessfailurelog",
        "axes.accesslog",
        "django_tasks_database.dbtaskresult",
        "mfa.authenticator",
        "notifications.mailpreference",
        "notifications.follow",
        "notifications.notification",
    }


@pytest.mark.parametrize("role", ROLES)
def test_admin_index(world, role):
    expected = LOGIN if role in {"anonymous", "fan", "other_fan"} else 200
    assert_answer(client_for(world, role).get("/admin/"), expected)


@pytest.mark.parametrize("model", REGISTERED)
@pytest.mark.parametrize("role", ROLES)
def test_admin_changelists(world, role, model):
    app_label, model_name = model.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    assert_answer(client_for(world, role).get(url), admin_changelist_answer(role, model))


ADD_PAGES = {
    # model: roles allowed to add
    "discussions.article": {"curator", "superuser"},
    "discussions.concern": {"curator", "superuser"},
    "news.seasonupdate": {"curator", "superuser"},
    "news.updateeffect": {"curator", "superuser"},
    "moderation.suspension": {"moderator", "superuser"},
    "accounts.user": {"superuser"},
    "auth.group": {"superuser"},
    # Nobody adds these by hand: they come from fans and from the site.
    "discussions.comment": set(),
    "opinion.vote": set(),
    "opinion.voteevent": set(),
    "moderation.report": set(),
    "moderation.moderationevent": set(),
}


@pytest.mark.parametrize("model", sorted(ADD_PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_admin_add_pages(world, role, model):
    app_label, model_name = model.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_add")
    if role in {"anonymous", "fan", "other_fan"}:
        expected = LOGIN
    else:
        expected = 200 if role in ADD_PAGES[model] else 403
    assert_answer(client_for(world, role).get(url), expected)


@pytest.mark.parametrize("role", ROLES)
def test_admin_comment_change_page(world, role):
    url = reverse("admin:discussions_comment_change", args=[world["comment"].pk])
    expected = {
        "anonymous": LOGIN,
        "fan": LOGIN,
        "other_fan": LOGIN,
        "moderator": 200,
        "curator": 403,
        "superuser": 200,
    }[role]
    assert_answer(client_for(world, role).get(url), expected)


@pytest.mark.parametrize("role", ROLES)
def test_admin_article_edit(world, role):
    article = world["concern"].article
    url = reverse("admin:discussions_article_change", args=[article.pk])
    response = client_for(world, role).post(
        url,
        {
            "title": "Edited title",
            "slug": article.slug,
            "summary_en": article.summary,
            "concerns-TOTAL_FORMS": "0",
            "concerns-INITIAL_FORMS": "0",
        },
    )
    expected = {
        "anonymous": LOGIN,
        "fan": LOGIN,
        "other_fan": LOGIN,
        "moderator": 403,
        "curator": 302,
        "superuser": 302,
    }[role]
    assert_answer(response, expected)
    article.refresh_from_db()
    assert (article.title == "Edited title") == (expected == 302)


@pytest.mark.parametrize("role", ROLES)
def test_admin_hide_action(world, role):
    comment = world["comment"]
    response = client_for(world, role).post(
        reverse("admin:discussions_comment_changelist"),
        {"action": "hide_comments", "_selected_action": [comment.pk], "rule": Rule.RESPECT},
    )
    expected = {
        "anonymous": LOGIN,
        "fan": LOGIN,
        "other_fan": LOGIN,
        "moderator": 302,
        "curator": 403,
        "superuser": 302,
    }[role]
    assert_answer(response, expected)
    comment.refresh_from_db()
    assert (comment.status == Comment.Status.HIDDEN) == (expected == 302)


@pytest.mark.parametrize("role", ROLES)
def test_admin_suspend(world, role):
    target = world["users"]["other_fan"]
    response = client_for(world, role).post(
        reverse("admin:moderation_suspension_add"),
        {"user": target.pk, "duration": "1", "reason": "Test"},
    )
    expected = {
        "anonymous": LOGIN,
        "fan": LOGIN,
        "other_fan": LOGIN,
        "moderator": 302,
        "curator": 403,
        "superuser": 302,
    }[role]
    assert_answer(response, expected)
    assert Suspension.objects.filter(user=target).exists() == (expected == 302)


@pytest.mark.parametrize("role", ROLES)
def test_admin_publish_update(world, role):
    response = client_for(world, role).post(
        reverse("admin:news_seasonupdate_add"),
        {
            "title_en": "News",
            "slug": "news",
            "summary_en": "s",
            "source_name": "Netflix",
            "status": "draft",
            "effects-TOTAL_FORMS": "0",
            "effects-INITIAL_FORMS": "0",
        },
    )
    expected = {
        "anonymous": LOGIN,
        "fan": LOGIN,
        "other_fan": LOGIN,
        "moderator": 403,
        "curator": 302,
        "superuser": 302,
    }[role]
    assert_answer(response, expected)
    assert SeasonUpdate.objects.filter(slug="news").exists() == (expected == 302)


@pytest.mark.parametrize("role", ROLES)
def test_vote(world, role):
    response = client_for(world, role).post(
        f"/concerns/{world['concern'].slug}/vote/", {"verdict": "justified"}
    )
    assert_answer(response, LOGIN if role == "anonymous" else 302)


@pytest.mark.parametrize("role", ROLES)
def test_comment(world, role):
    response = client_for(world, role).post(
        f"/concerns/{world['concern'].slug}/comments/",
        {"body": f"Posted by {role}", "stance": "undecided"},
    )
    assert_answer(response, LOGIN if role == "anonymous" else 302)
    assert Comment.objects.filter(body=f"Posted by {role}").exists() == (role != "anonymous")


AUTHOR_ONLY = {
    "anonymous": LOGIN,
    "fan": 302,
    "other_fan": 403,
    "moderator": 403,
    "curator": 403,
    "superuser": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_edit_comment(world, role):
    comment = world["comment"]
    response = client_for(world, role).post(
        f"/comments/{comment.pk}/edit/", {"body": "Changed", "stance": "undecided"}
    )
    assert_answer(response, AUTHOR_ONLY[role])
    comment.refresh_from_db()
    assert (comment.body == "Changed") == (role == "fan")


@pytest.mark.parametrize("role", ROLES)
def test_delete_comment(world, role):
    comment = world["comment"]
    response = client_for(world, role).post(f"/comments/{comment.pk}/delete/")
    assert_answer(response, AUTHOR_ONLY[role])
    comment.refresh_from_db()
    assert (comment.status == Comment.Status.DELETED) == (role == "fan")


@pytest.mark.parametrize("role", ROLES)
def test_report_comment(world, role):
    comment = world["comment"]
    response = client_for(world, role).post(f"/comments/{comment.pk}/report/", {"reason": "spam"})
    expected = {"anonymous": LOGIN, "fan": 400}.get(role, 302)
    assert_answer(response, expected)
    assert comment.reports.exists() == (expected == 302)
