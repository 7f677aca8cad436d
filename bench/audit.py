"""After the post burst or the simulated class, count what the thread really stored.

    python -m bench.audit ASSIGNMENT_ID OUT.json   # in the bench environment

Writes the ids of the stored answers and replies, each stored post's client_token
(the form's, which the client logged with the server's confirmation: the audit
matches by it, not by what the page showed), and the duplicates: students with more
than one live answer, and the same text stored twice by one author.
"""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classroom.settings")
django.setup()

import json  # noqa: E402
from pathlib import Path  # noqa: E402

from django.db.models import Count  # noqa: E402

from classroom.models import Response  # noqa: E402


def main(assignment_id: int, out_path: Path) -> None:
    thread = Response.objects.filter(assignment_id=assignment_id)
    answers = thread.top_level().live()
    out_path.write_text(
        json.dumps(
            {
                "answer_ids": list(answers.values_list("pk", flat=True)),
                "reply_ids": list(thread.filter(parent__isnull=False).values_list("pk", flat=True)),
                # [id, client_token] of every post, live or not: a token is a UUID on either database.
                "tokens": [
                    [pk, str(token) if token else None]
                    for pk, token in thread.values_list("pk", "client_token")
                ],
                "students_with_two_answers": answers.values("author")
                .annotate(n=Count("pk"))
                .filter(n__gt=1)
                .count(),
                "same_text_twice": thread.values("author", "body")
                .annotate(n=Count("pk"))
                .filter(n__gt=1)
                .count(),
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
