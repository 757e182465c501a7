import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from discussions.models import Comment
from moderation import decisions
from moderation.models import ModerationEvent, Report, Suspension
from notifications.models import Follow
from opinion.models import Vote
from tests.factories import (
    PASSWORD,
    make_comment,
    make_curator,
    make_moderator,
    make_staff,
    make_suspension,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspended(fan):
    make_suspension(fan, days=3)
    return fan


def test_suspended_fan_can_still_read_and_sign_in(client, suspended, concern):
    response = client.post(
        "/accounts/login/", {"username": suspended.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(concern.get_absolute_url()).status_code == 200


def test_concern_page_shows_notice_with_end_date_instead_of_forms(fan_client, suspended, concern):
    html = fan_client.get(concern.get_absolute_url()).text
    assert "Your account is suspended." in html
    assert "It ends on" in html
    assert "Trolling" in html
    assert 'name="verdict"' not in html
    assert 'name="body"' not in html


def test_suspended_fan_cannot_vote(fan_client, suspended, concern):
    response = fan_client.post(f"/concerns/{concern.slug}/vote/", {"verdict": "justified"})
    assert response.status_code == 403
    assert "Your account is suspended." in response.text
    assert not Vote.objects.exists()


def test_suspended_fan_cannot_comment(fan_client, suspended, concern):
    response = fan_client.post(
        f"/concerns/{concern.slug}/comments/", {"body": "Let me in", "stance": "undecided"}
    )
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_suspended_fan_sending_an_empty_comment_sees_the_notice_not_a_form_error(
    fan_client, suspended, concern
):
    response = fan_client.post(f"/concerns/{concern.slug}/comments/", {"body": ""})
    assert response.status_code == 403
    assert "Your account is suspended." in response.text
    assert "Please fix the problem below" not in response.text


def test_suspended_fan_sending_no_verdict_sees_the_notice(fan_client, suspended, concern):
    response = fan_client.post(f"/concerns/{concern.slug}/vote/", {"verdict": "maybe"})
    assert response.status_code == 403
    assert "Your account is suspended." in response.text


def test_suspended_fan_cannot_follow(fan_client, suspended, concern):
    response = fan_client.post(f"/concerns/{concern.slug}/follow/", {"follow": "1"})
    assert response.status_code == 403
    assert "Your account is suspended." in response.text
    assert not suspended.follows.exists()


def test_suspended_fan_can_stop_following(fan_client, suspended, concern):
    Follow.objects.create(user=suspended, concern=concern)
    response = fan_client.post(f"/concerns/{concern.slug}/follow/", {"follow": "0"})
    assert response.status_code == 302
    assert not suspended.follows.get().is_active


def test_suspended_fan_cannot_report(fan_client, suspended, concern):
    other = make_comment(concern)
    response = fan_client.post(f"/comments/{other.pk}/report/", {"reason": "spam"})
    assert response.status_code == 403
    assert "Your account is suspended." in response.text
    assert not Report.objects.exists()


def test_suspended_fan_cannot_edit(fan_client, fan, concern):
    own = make_comment(concern, author=fan)
    make_suspension(fan)
    response = fan_client.post(f"/comments/{own.pk}/edit/", {"body": "x", "stance": "undecided"})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.body != "x"


def test_permanent_suspension_says_so(fan_client, fan, concern):
    make_suspension(fan, days=None)
    html = fan_client.get(concern.get_absolute_url()).text
    assert "The suspension is permanent." in html


def test_suspension_ends_by_itself(fan_client, fan, concern, monkeypatch):
    # The same suspension refuses the vote while in force, and not once its end has passed.
    suspension = make_suspension(fan, days=1)
    vote_url = f"/concerns/{concern.slug}/vote/"
    assert fan_client.post(vote_url, {"verdict": "justified"}).status_code == 403
    just_after = suspension.ends_at + timezone.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: just_after)
    response = fan_client.post(vote_url, {"verdict": "justified"})
    assert response.status_code == 302
    assert Vote.objects.filter(user=fan).exists()


def test_lifted_suspension_no_longer_applies(fan_client, fan, concern):
    suspension = make_suspension(fan)
    vote_url = f"/concerns/{concern.slug}/vote/"
    assert fan_client.post(vote_url, {"verdict": "justified"}).status_code == 403
    decisions.lift_suspension(suspension, make_moderator())
    assert fan_client.post(vote_url, {"verdict": "justified"}).status_code == 302
    assert Vote.objects.filter(user=fan).exists()


def test_moderator_suspends_for_a_week_in_admin(client, fan):
    moderator = make_moderator()
    client.force_login(moderator)
    response = client.post(
        reverse("admin:moderation_suspension_add"),
        {"user": fan.pk, "duration": "7", "ends_at_0": "", "ends_at_1": "", "reason": "Trolling"},
    )
    assert response.status_code == 302
    suspension = Suspension.objects.get()
    assert suspension.created_by == moderator
    days = (suspension.ends_at - timezone.now()).total_seconds() / 86400
    assert 6.9 < days <= 7
    event = ModerationEvent.objects.get(action="suspend")
    assert (event.actor, event.target_user, event.suspension) == (moderator, fan, suspension)
    assert LogEntry.objects.filter(user=moderator).exists()


def test_moderator_suspends_permanently_in_admin(client, fan):
    client.force_login(make_moderator())
    client.post(
        reverse("admin:moderation_suspension_add"),
        {"user": fan.pk, "duration": "permanent", "reason": "Spam"},
    )
    assert Suspension.objects.get().is_permanent


def test_custom_end_date_must_be_in_the_future(client, fan):
    client.force_login(make_moderator())
    response = client.post(
        reverse("admin:moderation_suspension_add"),
        {
            "user": fan.pk,
            "duration": "custom",
            "ends_at_0": "2001-01-01",
            "ends_at_1": "00:00:00",
            "reason": "x",
        },
    )
    assert response.status_code == 200
    assert "The end date must be in the future." in response.text
    assert not Suspension.objects.exists()


def test_suspension_cannot_be_edited_after_it_is_made(client, fan):
    suspension = make_suspension(fan)
    client.force_login(make_moderator())
    url = reverse("admin:moderation_suspension_change", args=[suspension.pk])
    client.post(url, {"reason": "rewritten"})
    suspension.refresh_from_db()
    assert suspension.reason == "Trolling"


def test_moderator_lifts_suspension_with_admin_action(client, fan):
    suspension = make_suspension(fan)
    moderator = make_moderator()
    client.force_login(moderator)
    response = client.post(
        reverse("admin:moderation_suspension_changelist"),
        {"action": "lift_suspensions", "_selected_action": [suspension.pk], "post": "yes"},
        follow=True,
    )
    assert "1 suspension lifted." in response.text
    suspension.refresh_from_db()
    assert suspension.lifted_by == moderator
    assert fan.active_suspension() is None
    assert ModerationEvent.objects.filter(action="lift", target_user=fan).exists()


def test_remove_as_spam_hides_everything_and_suspends_permanently(client, concern):
    spammer = make_user("spammer")
    spam = [make_comment(concern, author=spammer, body=f"Buy now {i}") for i in range(3)]
    innocent = make_comment(concern)
    client.force_login(make_moderator())
    response = client.post(
        reverse("admin:discussions_comment_changelist"),
        {"action": "remove_authors_as_spam", "_selected_action": [spam[0].pk], "post": "yes"},
        follow=True,
    )
    assert "1 fan removed as a spammer." in response.text
    assert set(Comment.objects.filter(author=spammer).values_list("status", flat=True)) == {
        "hidden"
    }
    innocent.refresh_from_db()
    assert innocent.status == "visible"
    assert spammer.active_suspension().is_permanent
    event = ModerationEvent.objects.get(action="spam_removal")
    assert event.count == 3


def test_remove_as_spam_is_all_or_nothing(monkeypatch, concern):
    spammer = make_user()
    make_comment(concern, author=spammer)

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Suspension.objects, "create", fail)
    with pytest.raises(RuntimeError):
        decisions.remove_as_spam(spammer, make_moderator(), "spam")
    assert Comment.objects.get().status == "visible"


def test_suspended_inline_vote_reloads_the_page_to_show_the_notice(fan_client, suspended, concern):
    response = fan_client.post(
        f"/concerns/{concern.slug}/vote/",
        {"verdict": "justified"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{concern.get_absolute_url()}",
    )
    assert response["HX-Redirect"] == f"http://testserver{concern.get_absolute_url()}"
    assert not Vote.objects.exists()


# Who may suspend whom: moderators suspend fans; only a superuser suspends staff.


def make_superuser(username=None):
    return make_user(username, is_staff=True, is_superuser=True)


MAKERS = {
    "fan": make_user,
    "moderator": make_moderator,
    "curator": make_curator,
    "superuser": make_superuser,
}


@pytest.mark.parametrize("target", ["moderator", "curator", "superuser"])
def test_moderator_may_not_suspend_staff(target):
    assert not MAKERS[target]().can_be_suspended_by(make_moderator())


def test_moderator_may_suspend_a_fan():
    assert make_user().can_be_suspended_by(make_moderator())


@pytest.mark.parametrize("target", ["fan", "moderator", "curator", "superuser"])
def test_curator_may_suspend_no_one(target):
    assert not MAKERS[target]().can_be_suspended_by(make_curator())


@pytest.mark.parametrize("target", ["fan", "moderator", "curator", "superuser"])
def test_superuser_may_suspend_anyone_else(target):
    assert MAKERS[target]().can_be_suspended_by(make_superuser())


def test_nobody_suspends_themselves():
    boss = make_superuser()
    assert not boss.can_be_suspended_by(boss)


def test_suspend_decision_refuses_what_the_rule_forbids():
    curator = make_curator()
    with pytest.raises(decisions.MayNotSuspend):
        decisions.suspend(curator, make_moderator(), "Overreach")
    assert not Suspension.objects.exists()
    assert not ModerationEvent.objects.exists()


def test_spam_removal_decision_refuses_staff_and_hides_nothing(concern):
    curator = make_curator()
    make_comment(concern, author=curator)
    with pytest.raises(decisions.MayNotSuspend):
        decisions.remove_as_spam(curator, make_moderator(), "spam")
    assert Comment.objects.get().status == "visible"
    assert not Suspension.objects.exists()


# The add page, posted as each actor against each kind of account:
# 302 = suspended; "refused" = the form's error, no row; None = login or 403.
SUSPEND_MATRIX = {
    ("anonymous", "fan"): "login",
    ("fan", "fan"): "login",
    ("curator", "fan"): 403,
    ("moderator", "fan"): 302,
    ("moderator", "moderator"): "refused",
    ("moderator", "curator"): "refused",
    ("moderator", "superuser"): "refused",
    ("superuser", "fan"): 302,
    ("superuser", "moderator"): 302,
    ("superuser", "curator"): 302,
    ("superuser", "superuser"): 302,
}


@pytest.mark.parametrize(("actor", "target"), sorted(SUSPEND_MATRIX))
def test_suspension_add_page_applies_the_rule(db, actor, target):
    expected = SUSPEND_MATRIX[(actor, target)]
    victim = MAKERS[target](f"target_{target}")
    client = Client()
    if actor != "anonymous":
        client.force_login(MAKERS[actor](f"actor_{actor}"))
    response = client.post(
        reverse("admin:moderation_suspension_add"),
        {"user": victim.pk, "duration": "1", "reason": "Test"},
    )
    if expected == "login":
        assert response.status_code == 302
        assert "login" in response.url
    elif expected == "refused":
        assert response.status_code == 200
        assert f"You may not suspend target_{target}" in response.text
    else:
        assert response.status_code == expected
    assert Suspension.objects.filter(user=victim).exists() == (expected == 302)


def autocomplete(client, term=""):
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "moderation",
            "model_name": "suspension",
            "field_name": "user",
            "term": term,
        },
    )
    assert response.status_code == 200
    return {row["text"] for row in response.json()["results"]}


def test_user_autocomplete_offers_a_moderator_fans_only(client):
    make_user("sam_fan")
    make_curator("sam_curator")
    make_moderator("sam_moderator")
    make_superuser("sam_boss")
    client.force_login(make_moderator("the_mod"))
    assert autocomplete(client, "sam") == {"sam_fan"}


def test_user_autocomplete_offers_a_superuser_everyone_else(client):
    make_user("sam_fan")
    make_curator("sam_curator")
    boss = make_superuser("sam_boss")
    client.force_login(boss)
    assert autocomplete(client, "sam") == {"sam_fan", "sam_curator"}


def test_user_autocomplete_is_closed_to_curators(client):
    client.force_login(make_curator())
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "moderation", "model_name": "suspension", "field_name": "user"},
    )
    assert response.status_code == 403


def remove_as_spam_in_admin(client, comments):
    return client.post(
        reverse("admin:discussions_comment_changelist"),
        {
            "action": "remove_authors_as_spam",
            "_selected_action": [c.pk for c in comments],
            "post": "yes",
        },
        follow=True,
    )


def test_spam_action_by_a_moderator_refuses_a_curator_author(client, concern):
    comment = make_comment(concern, author=make_curator("cura_kim"))
    client.force_login(make_moderator())
    response = remove_as_spam_in_admin(client, [comment])
    assert "Not removed: cura_kim." in response.text
    assert "removed as a spammer" not in response.text
    assert not Suspension.objects.exists()
    comment.refresh_from_db()
    assert comment.status == "visible"


def test_spam_action_removes_the_fans_and_names_the_staff_it_skipped(client, concern):
    spam = make_comment(concern, author=make_user("spammer"))
    staff = make_comment(concern, author=make_moderator("mod_lee"))
    client.force_login(make_moderator())
    response = remove_as_spam_in_admin(client, [spam, staff])
    assert "1 fan removed as a spammer." in response.text
    assert "Not removed: mod_lee." in response.text
    assert list(Suspension.objects.values_list("user__username", flat=True)) == ["spammer"]


def test_spam_action_by_a_superuser_may_remove_a_moderator(admin_client, concern):
    comment = make_comment(concern, author=make_moderator("mod_rogue"))
    response = remove_as_spam_in_admin(admin_client, [comment])
    assert "1 fan removed as a spammer." in response.text
    assert Suspension.objects.get().user == comment.author


def test_spam_action_is_hidden_from_staff_who_may_not_suspend(client, concern):
    make_comment(concern)
    staff = make_staff()
    staff.user_permissions.add(
        Permission.objects.get(codename="view_comment"),
        Permission.objects.get(codename="change_comment"),
    )
    client.force_login(staff)
    html = client.get(reverse("admin:discussions_comment_changelist")).text
    assert 'value="hide_comments"' in html
    assert 'value="remove_authors_as_spam"' not in html
