"""Hostile query strings and forms in the admin: a 4xx or Django's ?e=1, never a 500.

Every registered ModelAdmin (ours, django.contrib.auth's and django-axes')
as a superuser; the moderators' and curators' own lists as them.
"""

import pytest
from django.contrib import admin
from django.db import connection, models
from django.urls import reverse

from discussions.models import Comment
from moderation.models import ModerationEvent, Report, Rule
from news.models import SeasonUpdate
from tests.factories import (
    make_comment,
    make_curator,
    make_moderator,
    make_suspension,
    make_update,
    make_user,
    make_vote,
)

pytestmark = pytest.mark.django_db

BAD_REQUEST = "That request didn't make sense"
RESET = "That filter or search isn&#x27;t valid, so the whole list is shown."

MODEL_ADMINS = {
    f"{model._meta.app_label}.{model._meta.model_name}": model_admin
    for model, model_admin in admin.site._registry.items()
}
MODERATOR_LISTS = [
    "discussions.comment",
    "moderation.reportedcomment",
    "moderation.report",
    "moderation.suspension",
    "moderation.moderationevent",
]
CURATOR_LISTS = [
    "news.seasonupdate",
    "discussions.article",
    "discussions.concern",
    "news.updateeffect",
]


def changelist(label):
    return reverse("admin:{}_{}_changelist".format(*label.split(".")))


def date_field(label):
    """The field a date hierarchy would use: the admin's, else the model's first date."""
    model_admin = MODEL_ADMINS[label]
    if model_admin.date_hierarchy:
        return model_admin.date_hierarchy
    dates = [f for f in model_admin.model._meta.fields if isinstance(f, models.DateField)]
    return dates[0].name if dates else None


@pytest.fixture
def rows(concern):
    """A row or two in every list, so each filter runs against real data."""
    fan = make_user()
    comment = make_comment(concern, author=fan)
    Report.objects.create(comment=comment, reporter=make_user(), reason="spam")
    make_vote(concern, fan)
    make_update(effects=[(concern, "confirms")])
    make_suspension(make_user())
    return {"comment": comment}


@pytest.fixture
def superuser_client(client, rows, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    return client


@pytest.fixture
def moderator_client(client, rows):
    client.force_login(make_moderator())
    return client


@pytest.fixture
def curator_client(client, rows):
    client.force_login(make_curator())
    return client


# Refused outright: 400 with the site's page --------------------------------

NUL_PARAMS = [
    {"q": "zombie\x00"},
    {"status__exact": "hidden\x00"},
    {"o\x00": "1"},
]


@pytest.mark.parametrize("params", NUL_PARAMS)
@pytest.mark.parametrize("label", MODEL_ADMINS)
def test_nul_byte_in_a_list_filter_or_search_is_400(superuser_client, label, params):
    response = superuser_client.get(changelist(label), params)
    assert response.status_code == 400
    assert BAD_REQUEST in response.text


@pytest.mark.parametrize("label", MODEL_ADMINS)
def test_a_filter_the_admin_does_not_offer_is_dropped_with_a_message(superuser_client, label):
    # A regular expression typed into the address bar is no filter of the
    # list's: dropped like any bad filter, never run, and no traceback logged.
    response = superuser_client.get(changelist(label), {"id__iregex": "("})
    assert response.status_code == 302
    assert response.url.endswith("?e=1")


def test_nul_byte_in_an_autocomplete_search_is_400(moderator_client):
    response = moderator_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "moderation",
            "model_name": "suspension",
            "field_name": "user",
            "term": "fan\x00",
        },
    )
    assert response.status_code == 400
    assert BAD_REQUEST in response.text


# Back to the whole list with ?e=1 and a word of why -------------------------

BAD_DATES = [
    {"__year": "99999"},
    {"__year": "99999999999999999999999"},
    {"__gte": "garbage"},
    {"__iso_year": "99999"},
    {"__year__gt": "99999"},
]
# Only a date hierarchy works out the next year, month or day, which may not exist.
BAD_HIERARCHY_DATES = [
    {"__year": "9999"},
    {"__year": "9999", "__month": "12"},
    {"__year": "9999", "__month": "12", "__day": "31"},
    {"__year": "2024", "__month": "13"},
    {"__year": "2024", "__month": "1", "__day": "40"},
]
DATED = [label for label in MODEL_ADMINS if date_field(label)]
HIERARCHIES = [label for label in MODEL_ADMINS if MODEL_ADMINS[label].date_hierarchy]


def filter_by_date(client, label, parts):
    field = date_field(label)
    return client.get(changelist(label), {field + part: value for part, value in parts.items()})


@pytest.mark.parametrize("parts", BAD_DATES)
@pytest.mark.parametrize("label", DATED)
def test_impossible_date_filter_shows_the_whole_list(superuser_client, label, parts):
    response = filter_by_date(superuser_client, label, parts)
    assert response.status_code == 302
    assert response.url == f"{changelist(label)}?e=1"


@pytest.mark.parametrize("parts", BAD_HIERARCHY_DATES)
@pytest.mark.parametrize("label", HIERARCHIES)
def test_impossible_date_hierarchy_shows_the_whole_list(superuser_client, label, parts):
    response = filter_by_date(superuser_client, label, parts)
    assert response.status_code == 302
    assert response.url == f"{changelist(label)}?e=1"


@pytest.mark.parametrize("params", [{"id__range": "1"}, {"id__in": "1,abc"}])
@pytest.mark.parametrize("label", MODEL_ADMINS)
def test_malformed_id_filter_shows_the_whole_list(superuser_client, label, params):
    url = changelist(label)
    response = superuser_client.get(url, params)
    assert response.status_code == 302
    assert response.url == f"{url}?e=1"


def test_whole_list_says_the_filter_was_not_valid(superuser_client):
    url = changelist("discussions.comment")
    response = superuser_client.get(url, {"created_at__year": "99999"}, follow=True)
    assert response.redirect_chain == [(f"{url}?e=1", 302)]
    assert response.status_code == 200
    assert RESET in response.text


def test_whole_list_says_so_in_korean(superuser_client):
    url = changelist("discussions.comment")
    response = superuser_client.get(
        url, {"created_at__year": "99999"}, follow=True, HTTP_ACCEPT_LANGUAGE="ko"
    )
    assert "필터나 검색어가 올바르지 않아 전체 목록을 보여 드립니다." in response.text


@pytest.mark.parametrize("label", ["discussions.comment", "opinion.vote"])
def test_related_id_past_the_integer_range_answers_without_error(superuser_client, label):
    # SQLite cannot bind the number (back to the whole list); PostgreSQL
    # compares it and finds nothing.
    url = changelist(label)
    response = superuser_client.get(url, {"concern": "9" * 25})
    if connection.vendor == "sqlite":
        assert response.url == f"{url}?e=1"
    else:
        assert response.status_code == 200
        assert response.context["cl"].result_count == 0


# Harmless: ignored ----------------------------------------------------------

IGNORED = [
    {"o": "99"},
    {"o": "x.-y.1"},
    {"p": "9" * 25},
    {"id": "9" * 25},
    {"q": "\ufffd"},
]


@pytest.mark.parametrize("params", IGNORED)
@pytest.mark.parametrize("label", MODEL_ADMINS)
def test_unknown_ordering_page_or_id_is_ignored(superuser_client, label, params):
    response = superuser_client.get(changelist(label), params)
    if label == "django_tasks_database.dbtaskresult" and "id" in params:
        # Task results are keyed by UUID: a number is a bad filter, answered
        # as every bad filter is, with the whole list and a word of why.
        assert response.url.endswith("?e=1")
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("label", ["discussions.comment", "news.seasonupdate"])
def test_unknown_status_matches_nothing(superuser_client, label):
    response = superuser_client.get(changelist(label), {"status__exact": "undead"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


# Moderators and curators on their own lists ---------------------------------

ROLE_PARAMS = [
    ({"q": "a\x00"}, 400),
    ({"created_at__year": "99999"}, 302),
    ({"created_at__gte": "garbage"}, 302),
    ({"o": "99"}, 200),
    ({"p": "9" * 25}, 200),
]


@pytest.mark.parametrize(("params", "status"), ROLE_PARAMS)
@pytest.mark.parametrize("label", MODERATOR_LISTS)
def test_moderator_lists_answer_hostile_filters(moderator_client, label, params, status):
    assert moderator_client.get(changelist(label)).status_code == 200
    assert moderator_client.get(changelist(label), params).status_code == status


@pytest.mark.parametrize(("params", "status"), ROLE_PARAMS)
@pytest.mark.parametrize("label", CURATOR_LISTS)
def test_curator_lists_answer_hostile_filters(curator_client, label, params, status):
    assert curator_client.get(changelist(label)).status_code == 200
    assert curator_client.get(changelist(label), params).status_code == status


# Actions on a forged selection ----------------------------------------------

FORGED_SELECTIONS = ["abc", "", "1.5", "9" * 25, "\x00", "1\x00"]
ACTIONS = [
    ("moderator", "discussions.comment", "hide_comments"),
    ("moderator", "moderation.reportedcomment", "dismiss_reports"),
    ("moderator", "moderation.suspension", "lift_suspensions"),
    ("curator", "news.seasonupdate", "publish_now"),
    ("superuser", "discussions.article", "delete_selected"),
    ("superuser", "accounts.user", "delete_selected"),
    ("superuser", "auth.group", "delete_selected"),
    ("superuser", "axes.accessattempt", "delete_selected"),
]


@pytest.fixture
def role_client(request):
    return lambda role: request.getfixturevalue(f"{role}_client")


@pytest.mark.parametrize("selected", FORGED_SELECTIONS)
@pytest.mark.parametrize(("role", "label", "action"), ACTIONS)
def test_action_on_a_forged_selection_is_400(role_client, role, label, action, selected):
    response = role_client(role).post(
        changelist(label), {"action": action, "_selected_action": selected, "index": "0"}
    )
    assert response.status_code == 400
    assert BAD_REQUEST in response.text


@pytest.mark.parametrize("selected", FORGED_SELECTIONS)
def test_action_on_a_forged_selection_changes_nothing(moderator_client, rows, selected):
    moderator_client.post(
        changelist("discussions.comment"),
        {
            "action": "hide_comments",
            "rule": Rule.RESPECT,
            "_selected_action": [rows["comment"].pk, selected],
            "index": "0",
        },
    )
    assert Comment.objects.get(pk=rows["comment"].pk).status == Comment.Status.VISIBLE
    assert not ModerationEvent.objects.exists()


def test_forged_selection_in_a_confirmed_delete_is_400(superuser_client):
    update = SeasonUpdate.objects.get()
    response = superuser_client.post(
        changelist("news.seasonupdate"),
        {"action": "delete_selected", "_selected_action": [update.pk, "abc"], "post": "yes"},
    )
    assert response.status_code == 400
    assert SeasonUpdate.objects.filter(pk=update.pk).exists()


def test_action_on_real_ids_still_works(moderator_client, rows):
    response = moderator_client.post(
        changelist("discussions.comment"),
        {
            "action": "hide_comments",
            "_selected_action": [rows["comment"].pk],
            "index": "0",
            "rule": Rule.RESPECT,
        },
    )
    assert response.status_code == 302
    assert Comment.objects.get(pk=rows["comment"].pk).status == Comment.Status.HIDDEN


# Found by the fuzzer (make fuzz) --------------------------------------------


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def delete_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])


def test_empty_to_field_on_a_change_page_means_the_key(superuser_client, rows):
    response = superuser_client.get(change_url(rows["comment"]) + "?_to_field=")
    assert response.status_code == 200


def test_empty_to_field_on_a_delete_page_means_the_key(superuser_client):
    update = make_update()
    response = superuser_client.get(delete_url(update) + "?_to_field=")
    assert response.status_code == 200
    assert update.title in response.text


def test_moderator_with_empty_to_field_is_turned_away_not_500(moderator_client):
    update = make_update()
    response = moderator_client.get(delete_url(update) + "?_to_field=")
    assert response.status_code == 403


@pytest.mark.parametrize("user", ["1.5", "abc", "//evil.example/", "99999999999999999999"])
def test_forged_user_on_the_suspension_form_is_a_form_error(moderator_client, user):
    response = moderator_client.post(
        reverse("admin:moderation_suspension_add"),
        {"user": user, "duration": "7", "reason": "Trolling"},
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.text


@pytest.mark.parametrize("field", ["groups", "user_permissions"])
def test_group_id_past_the_integer_range_is_refused(superuser_client, field):
    fan = make_user()
    response = superuser_client.post(
        change_url(fan), {"username": fan.username, field: "99999999999999999999"}
    )
    assert response.status_code in {200, 400}
    assert not getattr(fan, field).exists()


def test_very_long_search_is_cut_short(superuser_client, concern):
    # Only the first 200 characters are searched for, so this comment is found.
    make_comment(concern, body="A" * 200 + " and no more")
    response = superuser_client.get(changelist("discussions.comment"), {"q": "A" * 50_001})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_very_long_autocomplete_term_is_cut_short(superuser_client):
    # Only the first 200 characters are searched for, so this address matches
    # (a superuser's search: moderators' looks at no address).
    make_user("long_address", email="a" * 200 + "@example.org")
    response = superuser_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "moderation",
            "model_name": "suspension",
            "field_name": "user",
            "term": "A" * 50_001,
        },
    )
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["long_address"]


def test_access_attempts_offer_no_broken_cleanup_action(superuser_client):
    response = superuser_client.get(changelist("axes.accessattempt"))
    assert response.status_code == 200
    assert "cleanup_expired_attempts" not in response.text
