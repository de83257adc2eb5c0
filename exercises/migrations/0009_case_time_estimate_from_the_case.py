"""Suggested times come from each case's chart and key: set them for the cases already there."""

from django.db import migrations


def recompute(apps, schema_editor):
    from exercises.time_estimate import case_minutes

    Case = apps.get_model("exercises", "Case")
    CaseDocument = apps.get_model("exercises", "CaseDocument")
    AnswerKey = apps.get_model("exercises", "AnswerKey")
    for case in Case.objects.only("id", "is_query_case", "suggested_minutes").iterator():
        bodies = list(CaseDocument.objects.filter(case_id=case.pk).values_list("body", flat=True))
        key = AnswerKey.objects.filter(case_id=case.pk).order_by("-version").first()
        lines = key.lines.count() if key is not None else 0
        minutes = case_minutes(document_bodies=bodies, key_lines=lines, query_case=case.is_query_case)
        if minutes != case.suggested_minutes:
            Case.objects.filter(pk=case.pk).update(suggested_minutes=minutes)


class Migration(migrations.Migration):

    dependencies = [
        ("exercises", "0008_submission_review_state"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]
