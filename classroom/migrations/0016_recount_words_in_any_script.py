"""Recount stored word counts with the rule that counts each Chinese or Japanese character
(classroom.text.count_words): an answer written in Chinese had counted as one word.

Only responses whose count changes are written, and their threads get a new epoch so no
cached page shows the old count.
"""

import secrets

from django.db import migrations
from django.db.models import F

from classroom.text import count_words


def recount(apps, schema_editor) -> None:
    Response = apps.get_model("classroom", "Response")
    Assignment = apps.get_model("classroom", "Assignment")
    threads = set()
    for response in Response.objects.only("pk", "body", "word_count", "assignment_id").iterator():
        words = count_words(response.body)
        if words != response.word_count:
            Response.objects.filter(pk=response.pk).update(word_count=words)
            threads.add(response.assignment_id)
    if threads:
        Assignment.objects.filter(pk__in=threads).update(epoch=secrets.randbits(62), version=F("version") + 1)


class Migration(migrations.Migration):
    dependencies = [("classroom", "0015_briefs_to_the_unicode_sentence_rule")]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
