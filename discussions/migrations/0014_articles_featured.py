from django.db import migrations, models


def feature_the_article_home_shows(apps, schema_editor):
    """Feature the article the home page opened on until now: the newest."""
    Article = apps.get_model("discussions", "Article")
    newest = Article.objects.order_by("-created_at", "-pk").first()
    if newest is not None:
        Article.objects.filter(pk=newest.pk).update(featured=True)


def nothing_to_undo(apps, schema_editor):
    """The column goes with the step that added it."""


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0013_comment_body_html"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": ["-featured", "-created_at", "-pk"],
                "verbose_name": "article",
                "verbose_name_plural": "articles",
            },
        ),
        migrations.AddField(
            model_name="article",
            name="featured",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "The home page opens on this article and its fears. One at most: use the "
                    "“Feature on the home page” action to move it."
                ),
                verbose_name="featured on the home page",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="is_demo",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Made by the demo command and removed with the rest of the demo data.",
                verbose_name="demo article",
            ),
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.UniqueConstraint(
                condition=models.Q(("featured", True)),
                fields=("featured",),
                name="one_featured_article",
                violation_error_message=(
                    "Another article is featured already: use the “Feature on the home "
                    "page” action, which moves the feature from it to this one."
                ),
            ),
        ),
        migrations.RunPython(feature_the_article_home_shows, nothing_to_undo),
    ]
