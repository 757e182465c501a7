from django.db import migrations, models

# Empty (NULL) here: the column is worked out by the live renderer, which a
# migration must not import, right after `migrate` (discussions.apps). Until
# then no search but its author's finds an existing comment.


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0014_articles_featured"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="text_outside_spoilers",
            field=models.TextField(
                blank=True, editable=False, null=True, verbose_name="text outside spoilers"
            ),
        ),
    ]
