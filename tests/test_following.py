import time

import feedparser
import pytest
from django.utils import timezone

from news.models import SeasonUpdate
from notifications.delivery import follow_concern, unfollow_concern
from notifications.models import Follow, Notification
from opinion.voting import cast_vote
from tests.factories import make_comment, make_concern, make_update, make_user

pytestmark = pytest.mark.django_db


def publish_now(*effects, **fields):
    return make_update(effects=effects, published_at=timezone.now(), **fields)


def following(user, concern):
    return Follow.objects.filter(user=user, concern=concern, is_active=True).exists()


def test_follow_and_unfollow_from_the_concern_page(fan_client, fan, concern):
    response = fan_client.post(f"/concerns/{concern.slug}/follow/", {"follow": "1"}, follow=True)
    assert "You follow this fear" in response.text
    assert following(fan, concern)
    fan_client.post(f"/concerns/{concern.slug}/follow/", {"follow": "0"})
    assert not following(fan, concern)


def test_anonymous_follow_goes_to_login(client, concern):
    assert client.post(f"/concerns/{concern.slug}/follow/").url.startswith("/accounts/login/")


def test_first_vote_follows_automatically(fan, concern):
    cast_vote(fan, concern, "justified")
    assert following(fan, concern)


def test_first_comment_follows_automatically(fan_client, fan, concern):
    fan_client.post(f"/concerns/{concern.slug}/comments/", {"body": "Hi", "stance": "undecided"})
    assert following(fan, concern)


def test_unfollowing_sticks_through_later_votes(fan, concern):
    cast_vote(fan, concern, "justified")
    unfollow_concern(fan, concern)
    cast_vote(fan, concern, "overblown")
    assert not following(fan, concern)


def test_reply_notifies_the_parent_author(
    fan_client, fan, concern, django_capture_on_commit_callbacks
):
    other = make_user("cheongsan")
    parent = make_comment(concern, author=other)
    # The notification goes out once the reply is committed.
    with django_capture_on_commit_callbacks(execute=True):
        fan_client.post(
            f"/concerns/{concern.slug}/comments/",
            {"body": "I disagree", "stance": "undecided", "parent": parent.pk},
        )
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.comment.body) == (other, "reply", "I disagree")


def test_replying_to_yourself_notifies_nobody(
    fan_client, fan, concern, django_capture_on_commit_callbacks
):
    parent = make_comment(concern, author=fan)
    with django_capture_on_commit_callbacks(execute=True):
        fan_client.post(
            f"/concerns/{concern.slug}/comments/",
            {"body": "Also", "stance": "undecided", "parent": parent.pk},
        )
    assert parent.replies.filter(body="Also").exists()
    assert not Notification.objects.exists()


def test_news_on_a_followed_fear_notifies(fan_client, fan, concern):
    follow_concern(fan, concern)
    publish_now((concern, "confirms"), title="Trailer")
    html = fan_client.get("/notifications/").text
    assert "Season 2 news on" in html and "Trailer" in html
    assert Notification.objects.get().kind == "update"


def test_news_from_before_following_is_not_a_notification(fan_client, fan, concern):
    make_update(
        title="Old news",
        effects=[(concern, "confirms")],
        published_at=timezone.now() - timezone.timedelta(days=1),
    )
    follow_concern(fan, concern)
    publish_now((concern, "eases"), title="Fresh news")
    fan_client.get("/notifications/")
    assert [note.update.title for note in Notification.objects.all()] == ["Fresh news"]


def test_scheduled_news_notifies_once_it_is_due(fan_client, fan, concern):
    follow_concern(fan, concern)
    update = make_update(
        effects=[(concern, "eases")], published_at=timezone.now() + timezone.timedelta(hours=1)
    )
    fan_client.get("/notifications/")
    assert not Notification.objects.exists()
    SeasonUpdate.objects.filter(pk=update.pk).update(published_at=timezone.now())
    fan_client.get("/notifications/")
    fan_client.get("/notifications/")
    assert Notification.objects.count() == 1


def test_one_notification_per_update_across_followed_fears(fan_client, fan):
    first, second = make_concern(), make_concern()
    follow_concern(fan, first)
    follow_concern(fan, second)
    publish_now((first, "eases"), (second, "confirms"))
    fan_client.get("/notifications/")
    assert Notification.objects.count() == 1


def test_navbar_shows_unread_count(fan_client, fan, concern):
    follow_concern(fan, concern)
    publish_now((concern, "eases"))
    html = fan_client.get("/").text
    assert '<span class="visually-hidden">1 unread</span>' in html


def test_opening_a_notification_marks_it_read_and_goes_there(fan_client, fan, concern):
    follow_concern(fan, concern)
    update = publish_now((concern, "eases"))
    fan_client.get("/notifications/")
    note = Notification.objects.get()
    response = fan_client.post(f"/notifications/{note.pk}/read/")
    assert response.url == update.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_all_read(fan_client, fan, concern):
    follow_concern(fan, concern)
    publish_now((concern, "eases"))
    publish_now((concern, "confirms"))
    fan_client.get("/notifications/")
    response = fan_client.post("/notifications/read-all/", follow=True)
    assert "All caught up." in response.text
    assert not Notification.objects.unread().exists()


def test_nobody_opens_someone_elses_notification(client, fan, concern):
    follow_concern(fan, concern)
    publish_now((concern, "eases"))
    client.force_login(fan)
    client.get("/notifications/")
    note = Notification.objects.get()
    client.force_login(make_user())
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_notifications_need_login(client, db):
    assert client.get("/notifications/").url.startswith("/accounts/login/")


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_updates_feed_is_valid_atom_with_published_updates(client, concern):
    make_update(title="Renewal", effects=[(concern, "unclear")])
    make_update(title="Draft", status="draft", published_at=None)
    feed = parse(client, "/updates/feed/")
    assert feed.version == "atom10"
    assert [entry.title for entry in feed.entries] == ["Renewal"]
    assert feed.entries[0].link.endswith(
        "/updates/" + SeasonUpdate.objects.get(title="Renewal").slug + "/"
    )


def test_feeds_mask_spoilers(client, concern):
    make_update(title="Finale", summary="Everyone turns", is_spoiler=True)
    make_comment(concern, body="Nam-ra lives", is_spoiler=True)
    updates = parse(client, "/updates/feed/")
    concern_feed = parse(client, f"/concerns/{concern.slug}/feed/")
    assert "Everyone turns" not in updates.entries[0].summary
    assert "contains spoilers" in updates.entries[0].summary
    (comment_entry,) = concern_feed.entries
    assert "Nam-ra lives" not in comment_entry.title + comment_entry.summary
    assert "contains spoilers" in comment_entry.summary


def test_concern_feed_has_its_updates_and_top_level_comments(client, concern):
    make_update(title="Cast news", effects=[(concern, "eases")])
    make_update(title="Other fear news", effects=[(make_concern(), "eases")])
    top = make_comment(concern, body="Top-level take")
    make_comment(parent=top, body="A reply")
    make_comment(concern, body="Hidden take", status="hidden")
    feed = parse(client, f"/concerns/{concern.slug}/feed/")
    text = " ".join(entry.title + entry.summary for entry in feed.entries)
    assert "Cast news" in text and "Top-level take" in text
    assert "Other fear news" not in text
    assert "A reply" not in text and "Hidden take" not in text


def test_unknown_concern_feed_is_404(client, db):
    assert client.get("/concerns/nope/feed/").status_code == 404


def test_pages_announce_their_feeds(client, concern):
    html = client.get(concern.get_absolute_url()).text
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert f'href="/concerns/{concern.slug}/feed/"' in html
    assert 'href="/updates/feed/"' in client.get("/").text


def test_the_unread_badge_counts_news_at_once_when_it_is_published(fan_client, fan, concern):
    follow_concern(fan, concern)
    assert "1 unread" not in fan_client.get("/").text
    publish_now((concern, "eases"))
    assert "1 unread" in fan_client.get("/").text


def test_the_unread_badge_finds_news_gone_public_on_schedule_within_a_minute(
    fan_client, fan, concern, monkeypatch
):
    # A minute, shortened to a second.
    monkeypatch.setattr("notifications.delivery.RECHECK_SECONDS", 1)
    follow_concern(fan, concern)
    update = make_update(
        effects=[(concern, "eases")], published_at=timezone.now() + timezone.timedelta(hours=1)
    )
    fan_client.get("/")
    # Its moment passes: nothing is written, so the badge learns of it on its next check.
    SeasonUpdate.objects.filter(pk=update.pk).update(published_at=timezone.now())
    assert "1 unread" not in fan_client.get("/").text
    time.sleep(1.1)
    assert "1 unread" in fan_client.get("/").text
