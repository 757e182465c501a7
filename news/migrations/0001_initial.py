"""Season 2 updates and their effects move here from discussions.

The tables, rows, permissions and the groups' grants stay as they are: the
models change app in the migration state only, and their content types are
relabelled, so every permission (and every group holding one) follows.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

MOVED = ["seasonupdate", "updateeffect"]


def relabel_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="news", model__in=MOVED).delete()
    ContentType.objects.filter(app_label="discussions", model__in=MOVED).update(app_label="news")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="discussions", model__in=MOVED).delete()
    ContentType.objects.filter(app_label="news", model__in=MOVED).update(app_label="discussions")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("discussions", "0006_season_update_demo_flag"),
        ("contenttypes", "0002_remove_content_type_name"),
        # The roles were granted while these models lived in discussions.
        ("moderation", "0002_roles"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SeasonUpdate",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="title")),
                        (
                            "slug",
                            models.SlugField(
                                blank=True,
                                help_text="Part of the web address. Leave empty to make one from the title.",
                                max_length=120,
                                unique=True,
                                verbose_name="slug",
                            ),
                        ),
                        (
                            "summary",
                            models.TextField(
                                help_text="Our own words about what the news says.",
                                verbose_name="summary",
                            ),
                        ),
                        ("source_name", models.CharField(max_length=200, verbose_name="source")),
                        (
                            "source_url",
                            models.URLField(
                                blank=True,
                                validators=[
                                    django.core.validators.URLValidator(schemes=["http", "https"])
                                ],
                                verbose_name="source link",
                            ),
                        ),
                        (
                            "is_spoiler",
                            models.BooleanField(
                                default=False,
                                help_text="Collapse the summary everywhere until a reader opens it.",
                                verbose_name="spoiler",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("draft", "Draft"), ("published", "Published")],
                                default="draft",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "published_at",
                            models.DateTimeField(
                                blank=True,
                                help_text="Shown to the public from this moment on.",
                                null=True,
                                verbose_name="published at",
                            ),
                        ),
                        (
                            "is_demo",
                            models.BooleanField(
                                default=False,
                                editable=False,
                                help_text="Made by the demo command and removed with the rest of the demo data.",
                                verbose_name="demo update",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                    ],
                    options={
                        "verbose_name": "Season 2 update",
                        "verbose_name_plural": "Season 2 updates",
                        "ordering": ["-published_at", "-pk"],
                        "db_table": "discussions_seasonupdate",
                        "indexes": [
                            models.Index(
                                fields=["status", "-published_at"],
                                name="discussions_status_8d0e18_idx",
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("status", "published"), _negated=True),
                                    ("published_at__isnull", False),
                                    _connector="OR",
                                ),
                                name="discussions_seasonupdate_published_has_date",
                                violation_error_message="A published update needs a publication time.",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="UpdateEffect",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "effect",
                            models.CharField(
                                choices=[
                                    ("confirms", "Confirms the fear"),
                                    ("eases", "Eases the fear"),
                                    ("unclear", "Unclear"),
                                ],
                                max_length=10,
                                verbose_name="effect",
                            ),
                        ),
                        ("reason", models.CharField(max_length=200, verbose_name="why, in one line")),
                        (
                            "concern",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="update_effects",
                                to="discussions.concern",
                                verbose_name="concern",
                            ),
                        ),
                        (
                            "update",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="effects",
                                to="news.seasonupdate",
                                verbose_name="update",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "effect on a concern",
                        "verbose_name_plural": "effects on concerns",
                        "ordering": ["concern__position", "pk"],
                        "db_table": "discussions_updateeffect",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("update", "concern"), name="discussions_updateeffect_once"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("effect__in", ["confirms", "eases", "unclear"])),
                                name="discussions_updateeffect_effect_valid",
                            ),
                        ],
                    },
                ),
                migrations.AddField(
                    model_name="seasonupdate",
                    name="concerns",
                    field=models.ManyToManyField(
                        related_name="season_updates",
                        through="news.UpdateEffect",
                        to="discussions.concern",
                        verbose_name="concerns",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_types, restore_content_types),
    ]
