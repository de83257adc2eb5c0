"""Lesson reading times become computed from the text: recompute the stored ones."""

from django.db import migrations


def recompute(apps, schema_editor):
    from courses.reading_time import reading_minutes

    Lesson = apps.get_model("courses", "Lesson")
    changed = []
    for lesson in Lesson.objects.only("id", "body", "minutes").iterator():
        minutes = reading_minutes(lesson.body)
        if minutes != lesson.minutes:
            lesson.minutes = minutes
            changed.append(lesson)
    Lesson.objects.bulk_update(changed, ["minutes"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("courses", "0005_shared_library_is_edited_by_admins"),
    ]

    operations = [
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]
