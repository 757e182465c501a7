import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Sum
from django.utils import timezone

from accounts.models import User
from discussions.models import Comment, Concern, HelpfulMark
from moderation.models import ModerationEvent, ReportedComment
from news.models import SeasonUpdate, UpdateEffect
from notifications.models import Follow
from opinion.models import DailyShift, Movement, UpdateImpact, Vote, VoteEvent
from tests.factories import make_comment, make_update, make_user, make_vote

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def run_demo(*args):
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_output():
    return run_demo()


def printed_password(output):
    return re.search(r"with the password (\S+)", output).group(1)


def chart_totals(concern):
    totals = DailyShift.objects.filter(concern=concern).aggregate(
        j=Sum("justified_change"), o=Sum("overblown_change")
    )
    return (totals["j"] or 0, totals["o"] or 0)


def tally(concern):
    return (concern.tally.justified, concern.tally.overblown)


def row_counts():
    return {
        model.__name__: model.objects.count()
        for model in [User, Vote, VoteEvent, DailyShift, Comment, HelpfulMark, SeasonUpdate]
    }


def test_demo_gives_every_fear_votes_on_both_sides(demo_output):
    for concern in Concern.objects.all():
        justified, overblown = tally(concern)
        assert justified >= 5 and overblown >= 5, concern.slug


def days_with_votes(concern, start, end):
    moments = VoteEvent.objects.filter(
        concern=concern, created_at__gte=start, created_at__lt=end
    ).values_list("created_at", flat=True)
    return {timezone.localdate(moment) for moment in moments}


def test_demo_gives_every_fear_an_update_with_two_weeks_of_votes_either_side(demo_output):
    fortnight = timezone.timedelta(days=14)
    for concern in Concern.objects.all():
        covered = [
            effect
            for effect in UpdateEffect.objects.filter(concern=concern).select_related("update")
            for published in [effect.update.published_at]
            if published + fortnight < timezone.now()
            and len(days_with_votes(concern, published - fortnight, published)) >= 12
            and len(days_with_votes(concern, published, published + fortnight)) >= 12
        ]
        assert covered, concern.slug


def test_demo_states_what_each_update_did_to_opinion(demo_output):
    impacts = UpdateImpact.objects.all()
    published = UpdateEffect.objects.filter(update__status=SeasonUpdate.Status.PUBLISHED)
    assert impacts.count() == published.count()
    assert {impact.movement for impact in impacts} >= {
        Movement.NO_CLEAR_CHANGE,
        Movement.TOWARDS_JUSTIFIED,
        Movement.TOWARDS_OVERBLOWN,
    }


def test_demo_votes_span_several_months(demo_output):
    oldest = VoteEvent.objects.order_by("created_at").first().created_at
    assert timezone.now() - oldest > timezone.timedelta(days=120)
    assert DailyShift.objects.values("day").distinct().count() > 60


def test_demo_chart_adds_up_to_the_tallies(demo_output):
    for concern in Concern.objects.all():
        assert chart_totals(concern) == tally(concern), concern.slug


def test_demo_history_includes_changed_and_cleared_votes(demo_output):
    actions = set(VoteEvent.objects.values_list("action", flat=True))
    assert {"cast", "change", "clear"} <= actions


def test_demo_comments_take_every_stance_with_replies(demo_output):
    comments = Comment.objects.filter(author__is_demo=True)
    assert set(comments.values_list("stance", flat=True)) == {
        "justified",
        "overblown",
        "undecided",
    }
    assert comments.filter(parent__isnull=False).count() >= 10
    assert comments.filter(parent__parent__isnull=False).exists()
    assert comments.filter(is_spoiler=True).exists()
    assert comments.filter(body__regex=r"[가-힣]").exists()


def test_demo_marks_comments_helpful_but_never_their_own(demo_output):
    marks = HelpfulMark.objects.all()
    assert marks.count() > 20
    assert not marks.filter(comment__author=F("user")).exists()


def test_demo_updates_are_flagged_past_and_linked_both_ways(demo_output):
    updates = SeasonUpdate.objects.filter(is_demo=True)
    assert updates.count() >= 3
    assert all(update.is_public and update.title.startswith("Demo") for update in updates)
    assert all("Demo" in update.source_name for update in updates)
    effects = set(updates.values_list("effects__effect", flat=True))
    assert {"confirms", "eases"} <= effects


def test_demo_moderation_shows_in_the_public_log(client, demo_output):
    assert set(ModerationEvent.objects.values_list("action", flat=True)) >= {
        "hide",
        "suspend",
        "spam_removal",
        "auto_hide",
    }
    assert "demo_moderator" in client.get("/moderation/").text


def test_demo_leaves_a_comment_in_the_review_queue(demo_output):
    assert ReportedComment.objects.needing_review().exists()


def test_demo_staff_hold_their_roles(demo_output):
    moderator = User.objects.get(username="demo_moderator")
    curator = User.objects.get(username="demo_curator")
    assert moderator.is_staff and moderator.groups.filter(name="Moderators").exists()
    assert curator.is_staff and curator.groups.filter(name="Curators").exists()
    assert not moderator.is_superuser and not curator.is_superuser


def test_demo_accounts_are_flagged(demo_output):
    assert User.objects.filter(is_demo=True).count() > 50
    assert not User.objects.filter(is_demo=True).exclude(username__startswith="demo_").exists()


def test_demo_fan_sees_news_asking_to_reconsider(client, demo_output):
    client.post(
        "/accounts/login/",
        {"username": "demo_minji", "password": printed_password(demo_output)},
    )
    html = client.get("/concerns/tired-tropes/").text
    assert "still think it" in html
    assert "The best arguments on each side" in html


def test_demo_prints_the_password_once(demo_output):
    assert demo_output.count(printed_password(demo_output)) == 1


def test_printed_password_signs_a_demo_fan_in(client, demo_output):
    # Demo fans have no mailbox: they log in without confirming an address.
    response = client.post(
        "/accounts/login/",
        {"username": "demo_jaehyun", "password": printed_password(demo_output)},
    )
    assert response.url == "/"
    assert client.get("/").context["user"].username == "demo_jaehyun"


def test_demo_password_can_be_chosen():
    run_demo("--password", "my-own-demo-pass")
    assert User.objects.get(username="demo_minji").check_password("my-own-demo-pass")


def test_demo_twice_adds_nothing_twice(demo_output):
    before = row_counts()
    again = run_demo()
    assert "already present; nothing changed" in again
    assert row_counts() == before


def test_demo_refuses_a_name_a_real_account_holds():
    make_user("Demo_Minji")
    with pytest.raises(CommandError, match="Demo_Minji"):
        run_demo()
    assert not User.objects.filter(is_demo=True).exists()


@pytest.mark.parametrize("args", [(), ("--remove",)])
def test_demo_is_refused_where_demo_data_is_not_allowed(settings, args):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="refused under these settings"):
        run_demo(*args)
    assert not User.objects.exists()


def test_production_settings_do_not_allow_demo_data():
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}},
        "SECRET_KEY": "s" * 50,
        "ALLOWED_HOSTS": "fears.example",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SMTP_HOST": "mail.fears.example",
        "TAKEDOWN_EMAIL": "takedown@fears.example",
        "SITE_URL": "https://fears.example",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import aouad.settings.prod as s; print(s.DEMO_DATA_ALLOWED)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "False", result.stderr


def test_remove_deletes_every_demo_row(demo_output):
    run_demo("--remove")
    assert not User.objects.filter(is_demo=True).exists()
    assert not SeasonUpdate.objects.filter(is_demo=True).exists()
    assert not Vote.objects.exists()
    assert not VoteEvent.objects.exists()
    assert not Comment.objects.exists()
    assert not ModerationEvent.objects.exists()
    assert not DailyShift.objects.exists()


def test_remove_keeps_real_rows_and_their_tallies():
    call_command("seed", stdout=StringIO())
    concern = Concern.objects.get(slug="tired-tropes")
    early = make_vote(concern, make_user("early_fan"), "justified")
    real_comment = make_comment(concern, author=early, body="Mine, and staying.")
    real_update = make_update()
    run_demo()
    make_vote(concern, make_user("late_fan"), "overblown")
    make_vote(concern, early, "overblown")
    run_demo("--remove")
    assert set(User.objects.values_list("username", flat=True)) == {"early_fan", "late_fan"}
    assert Comment.objects.get() == real_comment
    assert SeasonUpdate.objects.filter(pk=real_update.pk).exists()
    assert VoteEvent.objects.count() == 3
    assert Follow.objects.filter(user=early, concern=concern).exists()
    for each in Concern.objects.all():
        assert chart_totals(each) == tally(each), each.slug
    assert tally(concern) == (0, 2)


def test_remove_keeps_a_demo_comment_a_real_reply_hangs_below(demo_output):
    demo_comment = Comment.objects.filter(author__username="demo_minji", parent=None).first()
    real_reply = make_comment(author=make_user("real_fan"), parent=demo_comment)
    run_demo("--remove")
    real_reply.refresh_from_db()
    demo_comment.refresh_from_db()
    assert real_reply.status == "visible"
    assert list(Comment.objects.filter(author__is_demo=True)) == [demo_comment]
    assert demo_comment.status == "deleted"
    assert not demo_comment.author.is_active
    assert not demo_comment.author.has_usable_password()


def test_demo_can_be_made_again_after_removal(demo_output):
    run_demo("--remove")
    output = run_demo()
    assert "Demo data added" in output
    for concern in Concern.objects.all():
        assert chart_totals(concern) == tally(concern), concern.slug
