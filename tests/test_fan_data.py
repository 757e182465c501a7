"""Every relation to a fan is declared, exported where it says and treated on leaving as it says.

Each app declares the rows that belong to a fan (AppConfig.fan_data,
accounts.fan_data). These tests find every relation to the account in every
installed model, so a new model that names a fan and is declared nowhere
fails here; then a fan and a staff member who have a row of every declared
relation download their data and delete their accounts, and each relation
must be where its declaration says.
"""

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from accounts.fan_data import Leaving
from accounts.muting import mute
from discussions.authoring import mark_helpful
from moderation.decisions import (
    hide_comments,
    lift_suspension,
    report_comment,
    request_review,
    suspend,
    uphold_hide,
)
from moderation.models import Report, Rule
from notifications.delivery import follow_concern
from notifications.models import MailPreference
from opinion.voting import cast_vote, dismiss_reminder
from privacy.deletion import delete_account
from privacy.export import fan_data
from tests.factories import (
    age_account,
    make_comment,
    make_moderator,
    make_update,
    make_user,
    with_confirmed_address,
)

pytestmark = pytest.mark.django_db


def relations_to_the_fan():
    """Every "app_label.Model.field" that names an account, in every installed model."""
    user_model = get_user_model()
    return {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if not model._meta.proxy
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is user_model
    }


def declarations():
    """{"app_label.Model.field": FanData}, from every app's declaration."""
    declared = {}
    for config in apps.get_app_configs():
        for data in getattr(config, "fan_data", ()):
            name = (
                data.relation
                if data.relation.count(".") == 2
                else (f"{config.label}.{data.relation}")
            )
            assert name not in declared, f"{name} is declared twice"
            declared[name] = data
    return declared


def field_of(relation):
    app_label, model, field = relation.split(".")
    return apps.get_model(app_label, model)._meta.get_field(field)


def rows_of(relation, user_pk):
    field = field_of(relation)
    return set(
        field.model._default_manager.filter(**{field.attname: user_pk}).values_list("pk", flat=True)
    )


def section(export, path):
    for part in path.split("."):
        export = export[part]
    return export


@pytest.fixture
def fan_and_moderator(concern):
    """A fan with a row of every relation a fan has, and a moderator with every staff one."""
    fan = with_confirmed_address(age_account(make_user("nam_onjo")))
    other = age_account(make_user("lee_cheongsan"))
    moderator = make_moderator("mod_jin")
    mute(fan, other)
    mute(other, fan)
    Authenticator.objects.create(user=fan, type=Authenticator.Type.TOTP, data={"secret": "x"})
    LogEntry.objects.create(
        user=moderator,
        content_type=ContentType.objects.get_for_model(concern),
        object_id=str(concern.pk),
        object_repr=str(concern),
        action_flag=ADDITION,
    )
    own = make_comment(concern, author=fan, body="The school is the point.")
    make_comment(parent=own, author=other, body="Agreed.")
    theirs = make_comment(concern, author=other, body="Seoul will be the same show.")
    mark_helpful(fan, theirs)
    cast_vote(fan, concern, "justified")
    dismiss_reminder(fan, make_update(effects=[(concern, "eases")]))
    report_comment(theirs, fan, Report.Reason.SPAM)
    hide_comments([theirs], moderator, Rule.RESPECT)
    hidden = make_comment(concern, author=fan, body="A rude remark.")
    hide_comments([hidden], moderator, Rule.RESPECT)
    request_review(hidden, fan, "It was a joke.")
    uphold_hide([hidden], moderator)
    lift_suspension(suspend(fan, moderator, "Cooling off"), moderator)
    follow_concern(fan, concern)
    MailPreference.of(fan).save()
    return fan, moderator


def test_every_relation_to_a_fan_is_declared():
    assert set(declarations()) == relations_to_the_fan()


def test_a_relation_left_undeclared_is_found(monkeypatch):
    opinion = apps.get_app_config("opinion")
    kept = [data for data in opinion.fan_data if data.relation != "ReconsiderDismissal.user"]
    monkeypatch.setattr(opinion, "fan_data", kept)
    assert relations_to_the_fan() - set(declarations()) == {"opinion.ReconsiderDismissal.user"}


def test_a_relation_kept_out_of_the_export_says_why():
    silent = [name for name, data in declarations().items() if not data.export and not data.why]
    assert silent == []


@pytest.mark.parametrize(
    ("leaving", "on_delete"),
    [(Leaving.UNNAMED, "SET_NULL"), (Leaving.DISOWNED, "PROTECT")],
)
def test_a_declared_fate_is_one_the_relation_can_give(leaving, on_delete):
    for name, data in declarations().items():
        if data.leaving == leaving:
            assert field_of(name).remote_field.on_delete.__name__ == on_delete, name


def test_the_fixture_has_a_row_of_every_declared_relation(fan_and_moderator):
    fan, moderator = fan_and_moderator
    empty = [
        name
        for name in declarations()
        if not rows_of(name, fan.pk) and not rows_of(name, moderator.pk)
    ]
    assert empty == [], "give the fixture a row of these"


def test_the_export_holds_every_declared_section(fan_and_moderator):
    fan, _moderator = fan_and_moderator
    export = fan_data(fan)
    for name, data in declarations().items():
        if data.export:
            assert section(export, data.export), f"{name}: nothing under {data.export!r}"


def check_leaving(user):
    """Delete the account; each relation's rows of it must be as declared."""
    before = {name: rows_of(name, user.pk) for name in declarations()}
    delete_account(user)
    for name, data in declarations().items():
        field = field_of(name)
        remaining = field.model._default_manager.filter(pk__in=before[name])
        if data.leaving == Leaving.DELETED:
            assert not remaining.exists(), f"{name}: rows outlived the account"
        else:
            assert remaining.count() == len(before[name]), f"{name}: rows went with the account"
            assert not remaining.filter(**{f"{field.attname}__isnull": False}).exists(), name


def test_deleting_a_staff_account_leaves_each_relation_as_declared(fan_and_moderator):
    _fan, moderator = fan_and_moderator
    check_leaving(moderator)


def test_deleting_a_fans_account_leaves_each_relation_as_declared(fan_and_moderator):
    fan, _moderator = fan_and_moderator
    check_leaving(fan)
