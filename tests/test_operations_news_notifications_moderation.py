"""Each operation of news, notifications and moderation makes its own checks.

Called straight, as a command or the demo calls them, they refuse what the
views and the admin refuse; and the admin reaches them, not the rows.
"""

from functools import partial
from unittest import mock

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.limits import RateLimited
from accounts.models import Suspended
from discussions.models import CommentStatus
from moderation import decisions
from moderation.models import ModerationEvent, Report, Rule, Suspension
from news import publishing
from news.models import SeasonUpdate, UpdateState, UpdateStatus
from news.publishing import MayNotPublish, publish_update, unpublish_update
from notifications.delivery import (
    deliver_update_notifications,
    follow_concern,
    mark_read,
    unfollow_concern,
)
from notifications.models import Follow, Notification, NotificationKind
from opinion.models import Vote
from opinion.voting import cast_vote
from tests.factories import (
    make_comment,
    make_curator,
    make_moderator,
    make_suspension,
    make_update,
    make_user,
)

pytestmark = pytest.mark.django_db

HOUR = timezone.timedelta(hours=1)


# Publishing an update.


def draft():
    return make_update(status=UpdateStatus.DRAFT, published_at=None)


def test_publishing_a_draft_makes_it_public_now():
    update = draft()
    assert publish_update(update, curator=make_curator())
    update.refresh_from_db()
    assert update.state == UpdateState.PUBLISHED
    assert timezone.now() - update.published_at < HOUR


def test_publishing_a_public_update_again_changes_nothing():
    update = make_update()
    published_at = update.published_at
    assert not publish_update(update)
    update.refresh_from_db()
    assert update.published_at == published_at


def test_publishing_with_a_later_time_schedules_and_publishing_now_brings_it_forward():
    update = draft()
    later = timezone.now() + HOUR
    publish_update(update, at=later)
    assert SeasonUpdate.objects.get(pk=update.pk).state == UpdateState.SCHEDULED
    assert publish_update(update)
    assert SeasonUpdate.objects.get(pk=update.pk).state == UpdateState.PUBLISHED


def test_only_those_who_may_change_updates_publish():
    update = draft()
    with pytest.raises(MayNotPublish):
        publish_update(update, curator=make_moderator())
    assert SeasonUpdate.objects.get(pk=update.pk).state == UpdateState.DRAFT


def test_states_and_their_names_come_from_update_state():
    assert draft().get_state_display() == "Draft"
    assert make_update(published_at=timezone.now() + HOUR).get_state_display() == "Scheduled"
    assert make_update().get_state_display() == "Published"
    assert UpdateState.values == ["draft", "scheduled", "published"]


def spy_on_publishing():
    return mock.patch("news.admin.publish_update", wraps=publishing.publish_update)


def test_publish_now_action_goes_through_the_operation(client):
    waiting, scheduled = draft(), make_update(published_at=timezone.now() + HOUR)
    public = make_update()
    curator = make_curator()
    client.force_login(curator)
    with spy_on_publishing() as spy:
        response = client.post(
            reverse("admin:news_seasonupdate_changelist"),
            {
                "action": "publish_now",
                "_selected_action": [waiting.pk, scheduled.pk, public.pk],
            },
            follow=True,
        )
    assert spy.call_count == 3
    assert "2 updates published." in response.text
    states = {u.pk: u.state for u in SeasonUpdate.objects.all()}
    assert set(states.values()) == {UpdateState.PUBLISHED}
    assert LogEntry.objects.filter(user=curator).count() == 2


def change_form(update, **fields):
    data = {
        "title_en": update.title,
        "slug": update.slug,
        "summary_en": update.summary,
        "source_name": update.source_name,
        "source_url": "",
        "status": update.status,
        "published_at_0": "",
        "published_at_1": "",
        "effects-TOTAL_FORMS": "0",
        "effects-INITIAL_FORMS": "0",
    }
    if update.published_at:
        local = timezone.localtime(update.published_at)
        data["published_at_0"] = local.strftime("%Y-%m-%d")
        data["published_at_1"] = local.strftime("%H:%M:%S")
    return {**data, **fields}


def test_publishing_in_the_change_form_goes_through_the_operation(client):
    update = draft()
    client.force_login(make_curator())
    with spy_on_publishing() as spy:
        response = client.post(
            reverse("admin:news_seasonupdate_change", args=[update.pk]),
            change_form(update, status="published", title_en="Now public"),
        )
    assert response.status_code == 302
    spy.assert_called_once()
    update.refresh_from_db()
    assert (update.title, update.state) == ("Now public", UpdateState.PUBLISHED)


def test_a_time_in_the_change_form_schedules_through_the_operation(client):
    update = draft()
    later = timezone.localtime(timezone.now() + timezone.timedelta(days=2)).replace(microsecond=0)
    client.force_login(make_curator())
    with spy_on_publishing() as spy:
        client.post(
            reverse("admin:news_seasonupdate_change", args=[update.pk]),
            change_form(
                update,
                status="published",
                published_at_0=later.strftime("%Y-%m-%d"),
                published_at_1=later.strftime("%H:%M:%S"),
            ),
        )
    spy.assert_called_once()
    update.refresh_from_db()
    assert (update.state, update.published_at) == (UpdateState.SCHEDULED, later)


def test_editing_a_published_update_leaves_its_publication_alone(client):
    update = make_update()
    published_at = update.published_at.replace(microsecond=0)
    SeasonUpdate.objects.filter(pk=update.pk).update(published_at=published_at)
    update.refresh_from_db()
    client.force_login(make_curator())
    with spy_on_publishing() as spy:
        client.post(
            reverse("admin:news_seasonupdate_change", args=[update.pk]),
            change_form(update, title_en="Typo fixed"),
        )
    spy.assert_not_called()
    update.refresh_from_db()
    assert (update.title, update.published_at) == ("Typo fixed", published_at)


def test_back_to_draft_in_the_change_form_goes_through_the_operation(client):
    update = make_update()
    client.force_login(make_curator())
    with mock.patch("news.admin.unpublish_update", side_effect=unpublish_update) as spy:
        response = client.post(
            reverse("admin:news_seasonupdate_change", args=[update.pk]),
            change_form(update, status="draft", title_en="Held back"),
        )
    assert response.status_code == 302
    spy.assert_called_once()
    update.refresh_from_db()
    assert (update.title, update.state) == ("Held back", UpdateState.DRAFT)
    assert not SeasonUpdate.objects.published().exists()


def test_a_draft_keeps_the_time_its_curator_plans(client):
    update = make_update()
    later = timezone.localtime(timezone.now() + timezone.timedelta(days=5)).replace(microsecond=0)
    client.force_login(make_curator())
    client.post(
        reverse("admin:news_seasonupdate_change", args=[update.pk]),
        change_form(
            update,
            status="draft",
            published_at_0=later.strftime("%Y-%m-%d"),
            published_at_1=later.strftime("%H:%M:%S"),
        ),
    )
    update.refresh_from_db()
    assert (update.state, update.published_at) == (UpdateState.DRAFT, later)


def test_only_those_who_may_change_updates_unpublish():
    update = make_update()
    with pytest.raises(MayNotPublish):
        unpublish_update(update, curator=make_user("bystander"))
    update.refresh_from_db()
    assert update.state == UpdateState.PUBLISHED


# Following.


def test_follow_and_unfollow_concern(fan, concern):
    follow_concern(fan, concern)
    assert Follow.objects.get(user=fan, concern=concern).is_active
    unfollow_concern(fan, concern)
    assert not Follow.objects.get(user=fan, concern=concern).is_active


def news_on(concern):
    return make_update(effects=[(concern, "confirms")], published_at=timezone.now())


def delivered(fan):
    deliver_update_notifications(fan)
    return set(Notification.objects.filter(recipient=fan).values_list("update_id", flat=True))


def test_news_from_while_a_fan_had_stopped_following_is_never_delivered(fan, concern):
    follow_concern(fan, concern)
    unfollow_concern(fan, concern)
    in_the_gap = news_on(concern)
    follow_concern(fan, concern)
    assert delivered(fan) == set()
    afterwards = news_on(concern)
    assert delivered(fan) == {afterwards.pk}
    assert in_the_gap.pk not in delivered(fan)


def test_notifications_from_before_unfollowing_stay_as_they_were(fan, concern):
    follow_concern(fan, concern)
    earlier = news_on(concern)
    assert delivered(fan) == {earlier.pk}
    mark_read(fan.notifications.all())
    unfollow_concern(fan, concern)
    follow_concern(fan, concern)
    assert delivered(fan) == {earlier.pk}
    assert Notification.objects.filter(recipient=fan).count() == 1
    assert not fan.notifications.unread().exists()


def test_following_again_while_following_keeps_the_start(fan, concern):
    started = follow_concern(fan, concern).followed_at
    assert follow_concern(fan, concern).followed_at == started


def test_a_vote_after_unfollowing_does_not_follow_again(fan, concern):
    follow_concern(fan, concern)
    unfollow_concern(fan, concern)
    cast_vote(fan, concern, "justified")
    assert not Follow.objects.get(user=fan, concern=concern).is_active


def test_notification_kinds_name_the_template_branch(fan_client, fan, concern):
    follow_concern(fan, concern)
    news_on(concern)
    html = fan_client.get("/notifications/").text
    assert Notification.objects.get().kind == NotificationKind.UPDATE
    assert "Season 2 news on" in html


# Reporting.


@pytest.fixture
def comment(concern):
    return make_comment(concern, body="Gwi-nam is the best character")


def test_report_comment_files_a_report(fan, comment):
    report = decisions.report_comment(comment, fan, Report.Reason.SPAM, "Ads")
    assert (report.reporter, report.status) == (fan, Report.Status.OPEN)


def test_a_suspended_fan_cannot_report(fan, comment):
    make_suspension(fan)
    with pytest.raises(Suspended):
        decisions.report_comment(comment, fan, Report.Reason.SPAM)
    assert not Report.objects.exists()


def test_nobody_reports_their_own_comment(fan, concern):
    own = make_comment(concern, author=fan)
    with pytest.raises(decisions.OwnComment):
        decisions.report_comment(own, fan, Report.Reason.SPAM)
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "status", [CommentStatus.HELD, CommentStatus.HIDDEN, CommentStatus.DELETED]
)
def test_only_visible_comments_are_reported(fan, comment, status):
    comment.status = status
    comment.save(update_fields=["status"])
    with pytest.raises(decisions.NotReportable):
        decisions.report_comment(comment, fan, Report.Reason.SPAM)
    assert not Report.objects.exists()


def test_a_second_report_is_refused(fan, comment):
    decisions.report_comment(comment, fan, Report.Reason.SPAM)
    with pytest.raises(decisions.AlreadyReported):
        decisions.report_comment(comment, fan, Report.Reason.OTHER)
    assert Report.objects.count() == 1


def test_report_comment_counts_the_report_limit_itself(fan, concern):
    comments = [make_comment(concern) for _ in range(21)]
    for comment in comments[:20]:
        decisions.report_comment(comment, fan, Report.Reason.SPAM)
    with pytest.raises(RateLimited) as refusal:
        decisions.report_comment(comments[20], fan, Report.Reason.SPAM)
    assert "You've sent a lot of reports recently." in refusal.value.message
    assert Report.objects.count() == 20


def test_refused_reports_use_up_no_allowance(fan, concern, comment):
    own = make_comment(concern, author=fan)
    decisions.report_comment(comment, fan, Report.Reason.SPAM)
    for _ in range(30):
        for refused in (own, comment):
            with pytest.raises(decisions.ReportRefused):
                decisions.report_comment(refused, fan, Report.Reason.SPAM)
    decisions.report_comment(make_comment(concern), fan, Report.Reason.SPAM)
    assert Report.objects.count() == 2


# Moderating comments and fans.

COMMENT_DECISIONS = [
    partial(decisions.hide_comments, rule=Rule.RESPECT),
    decisions.restore_comments,
    decisions.dismiss_reports,
    decisions.mark_as_spoiler,
]


@pytest.mark.parametrize("decide", COMMENT_DECISIONS)
@pytest.mark.parametrize("who", [make_user, make_curator])
def test_comment_decisions_refuse_whoever_may_not_moderate(decide, who, comment):
    decisions.report_comment(comment, make_user(), Report.Reason.SPOILER)
    with pytest.raises(decisions.MayNotModerate):
        decide([comment], who())
    comment.refresh_from_db()
    assert (comment.status, comment.is_spoiler) == (CommentStatus.VISIBLE, False)
    assert Report.objects.get().status == Report.Status.OPEN
    assert not ModerationEvent.objects.exists()


def test_spam_removal_refuses_a_curator(comment):
    with pytest.raises(PermissionDenied):
        decisions.remove_as_spam(comment.author, make_curator(), "Ads")
    assert not Suspension.objects.exists()


def test_lifting_follows_the_rule_of_who_may_suspend_whom(db):
    staff = make_curator()
    suspension = make_suspension(staff)
    with pytest.raises(decisions.MayNotSuspend):
        decisions.lift_suspension(suspension, make_moderator())
    suspension.refresh_from_db()
    assert suspension.lifted_at is None
    boss = make_user("boss", is_staff=True, is_superuser=True)
    decisions.lift_suspension(suspension, boss)
    suspension.refresh_from_db()
    assert suspension.lifted_by == boss


def test_lift_action_lifts_fans_and_names_the_staff_it_skipped(client, fan):
    fans = make_suspension(fan)
    staffs = make_suspension(make_curator("a_curator"))
    client.force_login(make_moderator())
    response = client.post(
        "/admin/moderation/suspension/",
        {"action": "lift_suspensions", "_selected_action": [fans.pk, staffs.pk], "post": "yes"},
        follow=True,
    )
    assert "1 suspension lifted." in response.text
    assert "Not lifted: a_curator." in response.text
    assert Suspension.objects.get(pk=staffs.pk).lifted_at is None
    assert Suspension.objects.get(pk=fans.pk).lifted_at is not None


# Votes in the admin.


@pytest.fixture
def vote(concern):
    fan = make_user()
    cast_vote(fan, concern, "justified")
    return Vote.objects.get(user=fan)


def test_the_admin_never_adds_changes_or_deletes_votes(admin_client, vote):
    assert admin_client.get(reverse("admin:opinion_vote_add")).status_code == 403
    change = reverse("admin:opinion_vote_change", args=[vote.pk])
    assert admin_client.post(change, {"verdict": "overblown"}).status_code == 403
    delete = reverse("admin:opinion_vote_delete", args=[vote.pk])
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    admin_client.post(
        reverse("admin:opinion_vote_changelist"),
        {"action": "delete_selected", "_selected_action": [vote.pk], "post": "yes"},
    )
    vote.refresh_from_db()
    assert vote.verdict == "justified"


def test_the_vote_list_offers_no_delete_action(admin_client, vote):
    html = admin_client.get(reverse("admin:opinion_vote_changelist")).text
    assert "delete_selected" not in html


@pytest.mark.parametrize("model", ["follow", "notification"])
def test_the_admin_only_shows_follows_and_notifications(admin_client, fan, concern, model):
    follow_concern(fan, concern)
    Notification.objects.create(
        recipient=fan, kind=NotificationKind.UPDATE, update=make_update(), concern=concern
    )
    row = Follow.objects.get() if model == "follow" else Notification.objects.get()
    base = f"admin:notifications_{model}"
    assert admin_client.get(reverse(f"{base}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"{base}_add")).status_code == 403
    assert (
        admin_client.post(reverse(f"{base}_delete", args=[row.pk]), {"post": "yes"}).status_code
        == 403
    )
    change = admin_client.get(reverse(f"{base}_change", args=[row.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.text
