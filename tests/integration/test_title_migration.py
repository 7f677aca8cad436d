"""briefs 0004: titles the old rule derived (cut at 72 characters with "…") become phrases."""

import importlib

import pytest
from django.apps import apps

from tests.factories import BriefFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("briefs.migrations.0004_titles_as_phrases")

LONG = (
    "Foreign ministers met in Riyadh on Tuesday, the first such meeting in three years, and agreed "
    "to restore their embassies. More talks follow."
)


def test_a_title_the_old_rule_derived_is_recomputed_and_a_typed_title_is_left_alone():
    old = migration.old_derive_title(LONG)
    assert old.endswith("…")
    derived = BriefFactory(title=old, summary=LONG)
    typed = BriefFactory(title="Riyadh talks", summary=LONG + " Again.")
    migration.recompute_derived_titles(apps, None)
    derived.refresh_from_db()
    typed.refresh_from_db()
    assert (
        derived.title == "Foreign ministers met in Riyadh on Tuesday, the first such meeting in three years"
    )
    assert typed.title == "Riyadh talks"
