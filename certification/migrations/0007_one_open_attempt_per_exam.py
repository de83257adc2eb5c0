"""At most one attempt in progress per student and exam, enforced by the database.

Before the constraint, two starts at the same instant could each open an attempt. Any such
duplicates are closed first: the newest open attempt of each student and exam stays open, the
others are closed as timed out (submitted at the earlier of now and their deadline), which is how
the server closes an attempt it will not resume; the scoring sweep then scores them like any other
closed, unscored attempt.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count
from django.utils import timezone


def close_duplicate_open_attempts(apps, schema_editor):
    ExamAttempt = apps.get_model("certification", "ExamAttempt")
    now = timezone.now()
    duplicated = (
        ExamAttempt.objects.filter(status="in_progress")
        .values("student_id", "blueprint_id")
        .annotate(open_count=Count("id"))
        .filter(open_count__gt=1)
    )
    for pair in duplicated:
        open_attempts = ExamAttempt.objects.filter(
            status="in_progress", student_id=pair["student_id"], blueprint_id=pair["blueprint_id"]
        ).order_by("-started_at", "-id")
        for attempt in list(open_attempts)[1:]:
            attempt.status = "submitted"
            attempt.close_reason = "timed_out"
            attempt.submitted_at = min(now, attempt.deadline)
            attempt.focus_position = None
            attempt.save(update_fields=["status", "close_reason", "submitted_at", "focus_position"])


class Migration(migrations.Migration):

    dependencies = [
        ("certification", "0006_exam_domain_icd10pcs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(close_duplicate_open_attempts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="examattempt",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "in_progress")),
                fields=("student", "blueprint"),
                name="one_open_attempt_per_exam",
            ),
        ),
    ]
