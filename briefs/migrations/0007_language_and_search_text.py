"""A brief carries the language of its text; search matches a folded copy of its text.

search_text is filled here for every version, folded as briefs.folding.fold folds it.
"""

from django.db import migrations, models

import briefs.models
from briefs.folding import fold

SEARCHED_FIELDS = ("title", "summary", "commentary", "question")


def fill_search_text(apps, schema_editor) -> None:
    Brief = apps.get_model("briefs", "Brief")
    for brief in Brief.objects.only("pk", *SEARCHED_FIELDS).iterator():
        text = fold("\n".join(getattr(brief, name) for name in SEARCHED_FIELDS))
        Brief.objects.filter(pk=brief.pk).update(search_text=text)


class Migration(migrations.Migration):
    dependencies = [("briefs", "0006_sentence_rule")]

    operations = [
        migrations.AddField(
            model_name="brief",
            name="language",
            field=models.CharField(
                blank=True,
                help_text="Blank: the site's language.",
                max_length=35,
                validators=[briefs.models.validate_language],
                verbose_name="language of the text",
            ),
        ),
        migrations.AddField(
            model_name="brief",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
