from django.db import migrations, models


class Migration(migrations.Migration):
    """The rendered comment, kept. Empty for existing rows: each is rendered on
    first read (Comment.html), so no data migration imports the live renderer."""

    dependencies = [
        ("discussions", "0012_korean_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="body_html",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="comment as shown"
            ),
        ),
    ]
