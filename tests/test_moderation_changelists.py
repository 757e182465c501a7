"""Moderators' lists fit a laptop: short bodies, links to the concern and author, flat queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from moderation import decisions
from tests.factories import make_comment, make_moderator, make_user

pytestmark = pytest.mark.django_db

COMMENTS = reverse("admin:discussions_comment_changelist")
QUEUE = reverse("admin:moderation_reportedcomment_changelist")
REPORTS = reverse("admin:moderation_report_changelist")
LISTS = [COMMENTS, QUEUE, REPORTS]
LONG = "Zombies " * 40


@pytest.fixture
def moderator_client(client):
    client.force_login(make_moderator())
    return client


def reported(concern, n=1):
    comments = []
    for _ in range(n):
        comment = make_comment(concern, body=LONG)
        decisions.report_comment(comment, make_user(), "spam")
        comments.append(comment)
    return comments


@pytest.mark.parametrize("url", LISTS)
def test_bodies_are_cut_with_an_ellipsis(moderator_client, concern, url):
    reported(concern)
    html = moderator_client.get(url).text
    assert LONG.strip() not in html
    assert (LONG[:79].strip() + "…") in html


@pytest.mark.parametrize("url", LISTS)
def test_author_links_to_their_admin_page(moderator_client, concern, url):
    (comment,) = reported(concern)
    html = moderator_client.get(url).text
    assert reverse("admin:accounts_user_change", args=[comment.author.pk]) in html


@pytest.mark.parametrize("url", LISTS)
def test_concern_links_to_the_comment_in_its_thread(moderator_client, concern, url):
    (comment,) = reported(concern)
    assert comment.get_absolute_url() in moderator_client.get(url).text


@pytest.mark.parametrize("url", LISTS)
def test_queries_stay_flat_as_the_list_grows(moderator_client, concern, url):
    reported(concern, 1)
    with CaptureQueriesContext(connection) as one:
        assert moderator_client.get(url).status_code == 200
    reported(concern, 5)
    with CaptureQueriesContext(connection) as six:
        assert moderator_client.get(url).status_code == 200
    assert len(six) == len(one)


def test_queue_lists_the_keys(moderator_client, concern):
    reported(concern)
    html = moderator_client.get(QUEUE).text
    assert 'id="queue-keys"' in html
    assert "js/review_queue.js" in html
    assert "<kbd>h</kbd>" in html and "<kbd>d</kbd>" in html and "<kbd>j</kbd>" in html
