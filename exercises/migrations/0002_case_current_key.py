import django.db.models.deletion
from django.db import migrations, models


def point_cases_at_their_newest_key(apps, schema_editor):
    Case = apps.get_model("exercises", "Case")
    AnswerKey = apps.get_model("exercises", "AnswerKey")
    newest = models.Subquery(
        AnswerKey.objects.filter(case=models.OuterRef("pk")).order_by("-version").values("pk")[:1]
    )
    Case.objects.update(current_key=newest)


class Migration(migrations.Migration):

    dependencies = [
        ("exercises", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="current_key",
            field=models.ForeignKey(
                blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL,
                related_name="+", to="exercises.answerkey",
            ),
        ),
        migrations.RunPython(point_cases_at_their_newest_key, migrations.RunPython.noop),
    ]
