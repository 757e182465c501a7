"""Votes, their history, the daily shifts, update impacts and dismissals move here from discussions.

The tables, rows, permissions, the groups' grants and the admin's log stay as
they are: the models change app in the migration state only (discussions
0016 lets go of them), and their content types are relabelled, so every
permission, every group holding one and every log entry follows. The tables
take this app's names in 0002, once discussions no longer claims them.

The worker's queued runs of the impact tasks name them by module: those
waiting are pointed at their new home, so none fails to import.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ["vote", "voteevent", "dailyshift", "updateimpact", "reconsiderdismissal"]
# The impact tasks, as django-tasks-db names them in task_path.
TASKS = ["refresh_impacts_of", "refresh_open_impacts"]
OLD_TASKS, NEW_TASKS = "discussions.impacts.", "opinion.impacts."
# Only runs still to come are imported again; finished ones keep their record.
WAITING = "READY"


def relabel_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="opinion", model__in=MOVED).delete()
    ContentType.objects.filter(app_label="discussions", model__in=MOVED).update(app_label="opinion")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="discussions", model__in=MOVED).delete()
    ContentType.objects.filter(app_label="opinion", model__in=MOVED).update(
        app_label="discussions"
    )


def _move_tasks(apps, old, new):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for name in TASKS:
        DBTaskResult.objects.filter(task_path=old + name, status=WAITING).update(
            task_path=new + name
        )


def move_waiting_tasks(apps, schema_editor):
    _move_tasks(apps, OLD_TASKS, NEW_TASKS)


def restore_waiting_tasks(apps, schema_editor):
    _move_tasks(apps, NEW_TASKS, OLD_TASKS)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("discussions", "0015_comment_text_outside_spoilers"),
        ("news", "0003_korean_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        # The roles were granted while these models lived in discussions.
        ("moderation", "0002_roles"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Vote",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "verdict",
                            models.CharField(
                                choices=[("justified", "Justified"), ("overblown", "Overblown")],
                                max_length=10,
                                verbose_name="verdict",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, editable=False, verbose_name="cast"
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="last changed")),
                        (
                            "confirmed_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now,
                                help_text="News published after this asks the fan to reconsider.",
                                verbose_name="last cast, changed or kept",
                            ),
                        ),
                        (
                            "concern",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="votes",
                                to="discussions.concern",
                                verbose_name="concern",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="votes",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="fan",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "vote",
                        "verbose_name_plural": "votes",
                        "db_table": "discussions_vote",
                        "indexes": [
                            models.Index(
                                fields=["concern", "verdict"], name="discussions_concern_009349_idx"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "concern"), name="discussions_vote_one_per_fan"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("verdict__in", ["justified", "overblown"])),
                                name="discussions_vote_verdict_valid",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="VoteEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("cast", "Cast"),
                                    ("change", "Changed"),
                                    ("clear", "Cleared"),
                                    ("reconfirm", "Kept after news"),
                                ],
                                max_length=10,
                                verbose_name="action",
                            ),
                        ),
                        (
                            "verdict",
                            models.CharField(
                                blank=True,
                                choices=[("justified", "Justified"), ("overblown", "Overblown")],
                                max_length=10,
                                verbose_name="new verdict",
                            ),
                        ),
                        (
                            "previous_verdict",
                            models.CharField(
                                blank=True,
                                choices=[("justified", "Justified"), ("overblown", "Overblown")],
                                max_length=10,
                                verbose_name="previous verdict",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="when"),
                        ),
                        (
                            "concern",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="vote_events",
                                to="discussions.concern",
                                verbose_name="concern",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="vote_events",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="fan",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "vote history entry",
                        "verbose_name_plural": "vote history",
                        "ordering": ["-created_at", "-pk"],
                        "db_table": "discussions_voteevent",
                        "indexes": [
                            models.Index(
                                fields=["concern", "created_at"], name="discussions_concern_8916ab_idx"
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("action", "clear"), ("verdict", "")),
                                    models.Q(
                                        models.Q(("action", "clear"), _negated=True),
                                        models.Q(("verdict", ""), _negated=True),
                                    ),
                                    _connector="OR",
                                ),
                                name="discussions_voteevent_verdict_matches_action",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="DailyShift",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField(verbose_name="day")),
                        ("shard", models.PositiveSmallIntegerField(default=0, verbose_name="shard")),
                        (
                            "justified_change",
                            models.IntegerField(default=0, verbose_name="change in justified votes"),
                        ),
                        (
                            "overblown_change",
                            models.IntegerField(default=0, verbose_name="change in overblown votes"),
                        ),
                        (
                            "concern",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="daily_shifts",
                                to="discussions.concern",
                                verbose_name="concern",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "daily shift in opinion",
                        "verbose_name_plural": "daily shifts in opinion",
                        "ordering": ["concern", "day"],
                        "db_table": "discussions_dailyshift",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("concern", "day", "shard"),
                                name="discussions_dailyshift_once_per_shard",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("shard__lt", 8)),
                                name="discussions_dailyshift_shard_valid",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="UpdateImpact",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "before_justified",
                            models.PositiveIntegerField(default=0, verbose_name="justified before"),
                        ),
                        (
                            "before_overblown",
                            models.PositiveIntegerField(default=0, verbose_name="overblown before"),
                        ),
                        (
                            "after_justified",
                            models.PositiveIntegerField(default=0, verbose_name="justified after"),
                        ),
                        (
                            "after_overblown",
                            models.PositiveIntegerField(default=0, verbose_name="overblown after"),
                        ),
                        (
                            "switched_to_justified",
                            models.PositiveIntegerField(default=0, verbose_name="switched to justified"),
                        ),
                        (
                            "switched_to_overblown",
                            models.PositiveIntegerField(default=0, verbose_name="switched to overblown"),
                        ),
                        (
                            "computed_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="worked out"
                            ),
                        ),
                        (
                            "effect",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="impact",
                                to="news.updateeffect",
                                verbose_name="effect on a concern",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "opinion around an update",
                        "verbose_name_plural": "opinion around updates",
                        "db_table": "discussions_updateimpact",
                    },
                ),
                migrations.CreateModel(
                    name="ReconsiderDismissal",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "dismissed_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="dismissed"
                            ),
                        ),
                        (
                            "update",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reconsider_dismissals",
                                to="news.seasonupdate",
                                verbose_name="update",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reconsider_dismissals",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="fan",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "dismissed reminder to reconsider",
                        "verbose_name_plural": "dismissed reminders to reconsider",
                        "db_table": "discussions_reconsiderdismissal",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "update"), name="discussions_reconsider_dismissed_once"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_types, restore_content_types),
        migrations.RunPython(move_waiting_tasks, restore_waiting_tasks),
    ]
