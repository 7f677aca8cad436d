"""Move brief versions to the Unicode sentence rule wherever no quote would move.

Answers quote a sentence of their thread's brief by its number (Response.quote_part and
quote_index) and keep its words (quote_text). The Unicode rule (briefs.importer) cuts
Cyrillic, accented, Greek and CJK text into more sentences than the first rule, so numbers
can change. A version moves to the new rule when every quote on it finds the same sentence
text under the new numbering (the same occurrence, if the text repeats); its quotes are
renumbered, and its threads get a new epoch so no cached page shows the old numbers. A
version where some quoted sentence does not exist under the new rule (the first rule joined
two sentences, and an answer quoted both) keeps the first rule, and its threads read as before.
"""

import secrets

from django.db import migrations
from django.db.models import F

from briefs.importer import SENTENCE_RULE_LATIN, SENTENCE_RULE_UNICODE, split_sentences

PARTS = ("summary", "commentary")


def renumbering(old: list[str], new: list[str], index: int) -> int | None:
    """Where sentence `index` of `old` is in `new`: the same text, the same occurrence of it."""
    if index >= len(old):
        return None
    text = old[index]
    occurrence = old[:index].count(text)
    places = [i for i, sentence in enumerate(new) if sentence == text]
    return places[occurrence] if occurrence < len(places) else None


def move_to_unicode_rule(apps, schema_editor) -> None:
    Brief = apps.get_model("briefs", "Brief")
    Response = apps.get_model("classroom", "Response")
    Assignment = apps.get_model("classroom", "Assignment")
    for brief in Brief.objects.filter(sentence_rule=SENTENCE_RULE_LATIN).only("pk", *PARTS).iterator():
        old = {part: split_sentences(getattr(brief, part), rule=SENTENCE_RULE_LATIN) for part in PARTS}
        new = {part: split_sentences(getattr(brief, part), rule=SENTENCE_RULE_UNICODE) for part in PARTS}
        if old == new:
            Brief.objects.filter(pk=brief.pk).update(sentence_rule=SENTENCE_RULE_UNICODE)
            continue
        quotes = Response.objects.filter(assignment__brief=brief.pk, quote_index__isnull=False).exclude(
            quote_part=""
        )
        moves = {}
        for response in quotes.only("pk", "quote_part", "quote_index"):
            index = renumbering(old[response.quote_part], new[response.quote_part], response.quote_index)
            if index is None:
                break
            moves[response.pk] = index
        else:
            for pk, index in moves.items():
                Response.objects.filter(pk=pk).update(quote_index=index)
            Brief.objects.filter(pk=brief.pk).update(sentence_rule=SENTENCE_RULE_UNICODE)
            # Thread pages are cached by epoch and version: the new numbers must not meet old pages.
            Assignment.objects.filter(brief=brief.pk).update(
                epoch=secrets.randbits(62), version=F("version") + 1
            )


class Migration(migrations.Migration):
    dependencies = [("classroom", "0014_field_names_translatable"), ("briefs", "0006_sentence_rule")]

    operations = [migrations.RunPython(move_to_unicode_rule, migrations.RunPython.noop)]
