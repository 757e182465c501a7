"""The curators' news admin: a scheduled filter, times in the display zone with UTC, edit links."""

import datetime

import pytest
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone

from news.admin import shown_time
from news.models import SeasonUpdate
from tests.factories import make_curator, make_moderator, make_update, make_user

pytestmark = pytest.mark.django_db

UPDATES = reverse("admin:news_seasonupdate_changelist")
NOV_29_MIDNIGHT_UTC = datetime.datetime(2026, 11, 29, 0, 0, tzinfo=datetime.UTC)


@pytest.fixture
def curator_client(client):
    client.force_login(make_curator())
    return client


@pytest.fixture
def updates(db):
    now = timezone.now()
    return {
        "draft": make_update(status=SeasonUpdate.Status.DRAFT, published_at=None),
        "scheduled": make_update(published_at=now + datetime.timedelta(days=1)),
        "published": make_update(published_at=now - datetime.timedelta(days=1)),
    }


def listed(client, **params):
    return {update.pk for update in client.get(UPDATES, params).context["cl"].result_list}


@pytest.mark.parametrize("state", ["draft", "scheduled", "published"])
def test_state_filter_lists_only_that_state(curator_client, updates, state):
    assert listed(curator_client, state=state) == {updates[state].pk}


def test_state_filter_offers_scheduled_beside_draft_and_published(curator_client, updates):
    html = curator_client.get(UPDATES).text
    for state in ["?state=draft", "?state=scheduled", "?state=published"]:
        assert state in html


def test_unknown_state_lists_nothing(curator_client, updates):
    assert listed(curator_client, state="undead") == set()


def test_old_status_links_still_filter(curator_client, updates):
    response = curator_client.get(UPDATES, {"status__exact": "draft"})
    assert {u.pk for u in response.context["cl"].result_list} == {updates["draft"].pk}


def test_times_are_shown_in_seoul_with_utc_beside():
    assert shown_time(NOV_29_MIDNIGHT_UTC) == "2026-11-29 09:00 KST (00:00 UTC)"


def test_utc_gets_its_date_when_it_is_another_day():
    evening = NOV_29_MIDNIGHT_UTC - datetime.timedelta(hours=1)
    assert shown_time(evening) == "2026-11-29 08:00 KST (2026-11-28 23:00 UTC)"


def test_display_time_zone_is_a_setting(settings):
    settings.DISPLAY_TIME_ZONE = "UTC"
    assert shown_time(NOV_29_MIDNIGHT_UTC) == "2026-11-29 00:00 UTC (00:00 UTC)"


def test_display_time_zone_is_seoul_by_default(settings):
    assert settings.DISPLAY_TIME_ZONE == "Asia/Seoul"


def test_display_time_zone_leaves_the_site_time_zone_alone(curator_client, settings):
    settings.DISPLAY_TIME_ZONE = "America/New_York"
    curator_client.get(UPDATES)
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE


def test_a_time_zone_that_does_not_exist_fails_the_checks(settings):
    settings.DISPLAY_TIME_ZONE = "Mars/Olympus_Mons"
    assert "news.E001" in {error.id for error in run_checks()}


def test_changelist_column_shows_both_times(curator_client):
    make_update(published_at=NOV_29_MIDNIGHT_UTC)
    assert "2026-11-29 09:00 KST (00:00 UTC)" in curator_client.get(UPDATES).text


def test_change_page_shows_both_times(curator_client):
    update = make_update(published_at=NOV_29_MIDNIGHT_UTC)
    html = curator_client.get(reverse("admin:news_seasonupdate_change", args=[update.pk])).text
    assert "2026-11-29 09:00 KST (00:00 UTC)" in html


def edit_link(update):
    return reverse("admin:news_seasonupdate_change", args=[update.pk])


def test_preview_of_a_draft_links_curators_to_edit_it(curator_client, updates):
    draft = updates["draft"]
    assert edit_link(draft) in curator_client.get(draft.get_absolute_url()).text


def test_preview_of_a_scheduled_update_links_to_edit_it(curator_client, updates):
    scheduled = updates["scheduled"]
    assert edit_link(scheduled) in curator_client.get(scheduled.get_absolute_url()).text


def test_anonymous_visitor_gets_no_preview(client, updates):
    assert client.get(updates["draft"].get_absolute_url()).status_code == 404


def test_a_fan_gets_no_preview(client, updates):
    client.force_login(make_user())
    assert client.get(updates["draft"].get_absolute_url()).status_code == 404


def test_moderator_previews_without_an_edit_link(client, updates):
    client.force_login(make_moderator())
    response = client.get(updates["draft"].get_absolute_url())
    assert response.status_code == 200
    assert edit_link(updates["draft"]) not in response.text


def test_published_page_has_no_edit_link(curator_client, updates):
    published = updates["published"]
    assert edit_link(published) not in curator_client.get(published.get_absolute_url()).text
