"""Derived titles become complete phrases: recompute every title the old rule derived.

A title was derived when it equals what the old rule made of its summary (the first sentence,
cut at 72 characters with an ellipsis); titles typed by a person or read from a headline are
left alone. Each version is updated in place, not versioned: a title is not text a student
quotes (briefs.models.QUOTED_FIELDS), so no thread's quotes can move.
"""

import re

from django.db import migrations

from briefs.importer import SENTENCE_RULE_LATIN, derive_title, split_sentences

OLD_LIMIT = 72


def old_derive_title(summary: str) -> str:
    """The rule before this migration, kept as it was: with the first sentence rule, the only
    one when this migration was written (rules never change once shipped)."""
    first = split_sentences(summary, rule=SENTENCE_RULE_LATIN)[0] if summary.strip() else ""
    if not re.search(r"\b(?:[A-Za-z]\.){2,}$", first):
        first = first.rstrip(".!")
    if len(first) <= OLD_LIMIT:
        return first
    return first[: OLD_LIMIT - 1].rsplit(" ", 1)[0].rstrip(",;:—–- ") + "…"


def recompute_derived_titles(apps, schema_editor) -> None:
    Brief = apps.get_model("briefs", "Brief")
    for brief in Brief.objects.only("pk", "title", "summary").iterator():
        if brief.title == old_derive_title(brief.summary):
            title = derive_title(brief.summary) or brief.title
            if title != brief.title:
                Brief.objects.filter(pk=brief.pk).update(title=title)


class Migration(migrations.Migration):
    dependencies = [("briefs", "0003_brief_versions_and_owners")]

    operations = [migrations.RunPython(recompute_derived_titles, migrations.RunPython.noop)]
