import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The house rule a hide names, and fans' requests for a review of a hide (once per hide)."""

    dependencies = [
        ("discussions", "0012_korean_text"),
        ("moderation", "0004_report_origin"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReviewRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "message",
                    models.CharField(
                        blank=True, max_length=1000, verbose_name="why it should come back"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Waiting for a moderator"),
                            ("restored", "Restored"),
                            ("upheld", "Kept hidden"),
                        ],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="asked"),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided")),
            ],
            options={
                "verbose_name": "review request",
                "verbose_name_plural": "review requests",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="moderationevent",
            name="rule",
            field=models.CharField(
                blank=True,
                choices=[
                    ("respect", "Respect other fans"),
                    ("harassment", "No harassment or hate"),
                    ("spoilers", "Mark spoilers"),
                    ("spam", "No spam or self-promotion"),
                    ("on_topic", "Stay on topic"),
                    ("personal_info", "No personal information"),
                    ("piracy", "No piracy links"),
                    ("copyright", "Respect copyright"),
                ],
                default="",
                help_text="The house rule a hidden comment broke.",
                max_length=20,
                verbose_name="rule broken",
            ),
        ),
        migrations.AlterField(
            model_name="moderationevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("hide", "hid a comment"),
                    ("restore", "restored a comment"),
                    ("dismiss", "dismissed reports on a comment"),
                    ("mark_spoiler", "marked a comment as a spoiler"),
                    ("auto_hide", "held a comment for review after reports"),
                    ("suspend", "suspended a fan"),
                    ("lift", "lifted a suspension"),
                    ("spam_removal", "removed a fan as a spammer"),
                    ("uphold", "kept a comment hidden after the author asked for a review"),
                ],
                max_length=14,
                verbose_name="action",
            ),
        ),
        migrations.AddConstraint(
            model_name="moderationevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("rule", ""),
                    (
                        "rule__in",
                        [
                            "respect",
                            "harassment",
                            "spoilers",
                            "spam",
                            "on_topic",
                            "personal_info",
                            "piracy",
                            "copyright",
                        ],
                    ),
                    _connector="OR",
                ),
                name="moderation_event_rule_valid",
            ),
        ),
        migrations.AddField(
            model_name="reviewrequest",
            name="comment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="review_requests",
                to="discussions.comment",
                verbose_name="comment",
            ),
        ),
        migrations.AddField(
            model_name="reviewrequest",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="decided by",
            ),
        ),
        migrations.AddField(
            model_name="reviewrequest",
            name="decision",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="review_request",
                to="moderation.moderationevent",
                verbose_name="hide it asks about",
            ),
        ),
        migrations.AddField(
            model_name="reviewrequest",
            name="requester",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="review_requests",
                to=settings.AUTH_USER_MODEL,
                verbose_name="asked by",
            ),
        ),
        migrations.AddConstraint(
            model_name="reviewrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["open", "restored", "upheld"])),
                name="moderation_reviewrequest_status_valid",
            ),
        ),
    ]
