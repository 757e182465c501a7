"""The opinion engine's models move from discussions to opinion, rows and all, and back.

Migrated with rows in every moved table, a content type's permission held by
the Moderators group, an admin log entry on a vote and a queued impact task,
forward to the opinion app and back again: on whichever database the suite
runs on (SQLite, or PostgreSQL with DATABASE_URL).
"""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from discussions.models import Concern
from opinion.models import Vote

# discussions as it stood with the votes, and what the moved rows point at.
BEFORE = [
    ("discussions", "0015_comment_text_outside_spoilers"),
    ("accounts", "0007_renew_staff_recovery_codes"),
    ("admin", "0003_logentry_add_action_flag_choices"),
    ("django_tasks_database", "0021_conditional_partial_index_ordering"),
]
AFTER = [
    ("opinion", "0002_own_table_names"),
    ("discussions", "0016_opinion_moves_out"),
    *BEFORE[1:],
]
MOVED = ["Vote", "VoteEvent", "DailyShift", "UpdateImpact", "ReconsiderDismissal"]
WHEN = datetime.datetime(2026, 3, 9, 12, tzinfo=datetime.UTC)


@pytest.fixture
def executor(transactional_db):
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    back_before_the_move(executor)
    yield executor
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    ContentType.objects.clear_cache()


def migrate(executor, targets):
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def back_before_the_move(executor):
    """Unapply the opinion app, and whatever needs it; return the state as it was then."""
    executor.loader.build_graph()
    executor.migrate([*BEFORE, ("opinion", None)])
    return MigrationExecutor(connection).loader.project_state(BEFORE).apps


def rows_before_the_move(executor):
    """One row in each moved table, and what must follow them, as discussions held them."""
    apps = executor.loader.project_state(BEFORE).apps
    fan = apps.get_model("accounts", "User").objects.create(username="nam_onjo")
    article = apps.get_model("discussions", "Article").objects.create(
        title="The piece", slug="the-piece", summary="Ours."
    )
    concern = apps.get_model("discussions", "Concern").objects.create(
        article=article, title="Tired tropes", slug="tired-tropes", description="Formulas."
    )
    update = apps.get_model("news", "SeasonUpdate").objects.create(
        title="Filming wraps",
        slug="filming-wraps",
        summary="Done.",
        source_name="Netflix",
        status="published",
        published_at=WHEN,
    )
    effect = apps.get_model("news", "UpdateEffect").objects.create(
        update=update, concern_id=concern.pk, effect="confirms", reason="Same writers."
    )
    model = {name: apps.get_model("discussions", name) for name in MOVED}
    vote = model["Vote"].objects.create(
        user_id=fan.pk, concern_id=concern.pk, verdict="justified", created_at=WHEN
    )
    model["VoteEvent"].objects.create(
        user_id=fan.pk, concern_id=concern.pk, action="cast", verdict="justified", created_at=WHEN
    )
    model["DailyShift"].objects.create(
        concern_id=concern.pk, day=WHEN.date(), shard=3, justified_change=1
    )
    model["UpdateImpact"].objects.create(
        effect_id=effect.pk, before_justified=4, after_overblown=2, switched_to_overblown=1
    )
    model["ReconsiderDismissal"].objects.create(user_id=fan.pk, update_id=update.pk)

    # Flushed between tests, so made here: the content type, its permission
    # held by the Moderators group, and the admin's log entry on the vote.
    content_types = apps.get_model("contenttypes", "ContentType").objects
    vote_type, _ = content_types.get_or_create(app_label="discussions", model="vote")
    view_vote, _ = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=vote_type, codename="view_vote", defaults={"name": "Can view vote"}
    )
    moderators, _ = apps.get_model("auth", "Group").objects.get_or_create(name="Moderators")
    moderators.permissions.add(view_vote)
    entry = apps.get_model("admin", "LogEntry").objects.create(
        user_id=fan.pk,
        content_type_id=vote_type.pk,
        object_id=str(vote.pk),
        object_repr="nam_onjo → Tired tropes: Justified",
        action_flag=2,
        change_message="Looked at it.",
    )
    tasks = apps.get_model("django_tasks_database", "DBTaskResult").objects
    common = {"args_kwargs": {"args": [], "kwargs": {}}, "backend_name": "default"}
    waiting = tasks.create(
        task_path="discussions.impacts.refresh_open_impacts", run_after=WHEN, **common
    )
    done = tasks.create(
        task_path="discussions.impacts.refresh_open_impacts",
        status="SUCCESSFUL",
        run_after=WHEN,
        **common,
    )
    return {
        "vote": vote.pk,
        "content_type": vote_type.pk,
        "permission": view_vote.pk,
        "entry": entry.pk,
        "waiting": waiting.pk,
        "done": done.pk,
    }


def assert_rows_intact(apps, app_label):
    """Every moved row is there, with its figures, under the app that holds the models."""
    model = {name: apps.get_model(app_label, name) for name in MOVED}
    vote = model["Vote"].objects.get()
    assert (vote.user.username, vote.concern.slug, vote.verdict, vote.created_at) == (
        "nam_onjo",
        "tired-tropes",
        "justified",
        WHEN,
    )
    event = model["VoteEvent"].objects.get()
    assert (event.user_id, event.action, event.verdict, event.created_at) == (
        vote.user_id,
        "cast",
        "justified",
        WHEN,
    )
    shift = model["DailyShift"].objects.get()
    assert (shift.concern_id, shift.day, shift.shard, shift.justified_change) == (
        vote.concern_id,
        WHEN.date(),
        3,
        1,
    )
    impact = model["UpdateImpact"].objects.get()
    assert (impact.effect.reason, impact.before_justified, impact.after_overblown) == (
        "Same writers.",
        4,
        2,
    )
    assert impact.switched_to_overblown == 1
    assert model["ReconsiderDismissal"].objects.get().update.slug == "filming-wraps"


def assert_grants_follow(apps, app_label, ids):
    """The vote's content type, its permission, the group's grant and the log entry: one each."""
    content_types = apps.get_model("contenttypes", "ContentType").objects
    vote_type = content_types.get(model="vote")
    assert (vote_type.pk, vote_type.app_label) == (ids["content_type"], app_label)
    assert set(
        content_types.filter(model__in=[m.lower() for m in MOVED]).values_list(
            "app_label", flat=True
        )
    ) <= {app_label}
    permissions = apps.get_model("auth", "Permission").objects.filter(codename="view_vote")
    assert list(permissions.values_list("pk", "content_type")) == [
        (ids["permission"], ids["content_type"])
    ]
    moderators = apps.get_model("auth", "Group").objects.get(name="Moderators")
    assert moderators.permissions.filter(
        content_type__app_label=app_label, codename="view_vote"
    ).exists()
    entry = apps.get_model("admin", "LogEntry").objects.get(pk=ids["entry"])
    assert (entry.content_type_id, entry.object_id) == (ids["content_type"], str(ids["vote"]))


def task_paths(apps, ids):
    tasks = apps.get_model("django_tasks_database", "DBTaskResult").objects
    return tasks.get(pk=ids["waiting"]).task_path, tasks.get(pk=ids["done"]).task_path


def test_the_move_keeps_every_row_grant_and_log_entry(executor):
    ids = rows_before_the_move(executor)
    apps = migrate(executor, AFTER)
    tables = set(connection.introspection.table_names())
    assert {f"opinion_{name.lower()}" for name in MOVED} <= tables
    assert not {f"discussions_{name.lower()}" for name in MOVED} & tables
    assert_rows_intact(apps, "opinion")
    assert_grants_follow(apps, "opinion", ids)
    # The queued run goes to the task's new home; the finished one keeps its record.
    assert task_paths(apps, ids) == (
        "opinion.impacts.refresh_open_impacts",
        "discussions.impacts.refresh_open_impacts",
    )


def test_the_admin_and_the_roles_find_the_moved_vote(executor):
    ids = rows_before_the_move(executor)
    migrate(executor, executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()
    vote = LogEntry.objects.get(pk=ids["entry"]).get_edited_object()
    assert isinstance(vote, Vote)
    assert vote.pk == ids["vote"]
    # New rows carry on from the old ones' numbers: PostgreSQL's sequence
    # went with its table.
    other = Concern.objects.create(
        article=vote.concern.article, title="Another", slug="another", description="More."
    )
    assert Vote.objects.create(user=vote.user, concern=other, verdict="overblown").pk > vote.pk
    assert Group.objects.get(name="Moderators").permissions.get().natural_key() == (
        "view_vote",
        "opinion",
        "vote",
    )


def test_undoing_the_move_gives_discussions_everything_back(executor):
    ids = rows_before_the_move(executor)
    migrate(executor, AFTER)
    apps = back_before_the_move(executor)
    tables = set(connection.introspection.table_names())
    assert {f"discussions_{name.lower()}" for name in MOVED} <= tables
    assert not {f"opinion_{name.lower()}" for name in MOVED} & tables
    assert_rows_intact(apps, "discussions")
    assert_grants_follow(apps, "discussions", ids)
    assert task_paths(apps, ids) == (
        "discussions.impacts.refresh_open_impacts",
        "discussions.impacts.refresh_open_impacts",
    )
