"""Each brief version records the rule that numbers its sentences.

Every existing version was numbered by the first rule, so it gets 1; new versions get the
newest rule. classroom's migration 0013 then moves to the newest rule every version whose
answers' quotes would keep pointing at the same sentences.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("briefs", "0005_field_names_translatable")]

    operations = [
        migrations.AddField(
            model_name="brief",
            name="sentence_rule",
            field=models.PositiveSmallIntegerField(default=1, editable=False),
        ),
        migrations.AlterField(
            model_name="brief",
            name="sentence_rule",
            field=models.PositiveSmallIntegerField(default=2, editable=False),
        ),
    ]
