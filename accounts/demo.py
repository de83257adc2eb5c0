"""Demo accounts for the embedded mode. Passwords are printed by `manage.py load_demo`."""

from __future__ import annotations

from .models import Role, User

DEMO_ACCOUNTS = [
    # username, password, role, display name
    ("admin", "admin-demo-2026", Role.ADMIN, "Alex Admin"),
    ("instructor", "instructor-demo-2026", Role.INSTRUCTOR, "Dr. Irene Instructor"),
    # A second instructor: verifies the demo cases' answer keys (a case is never verified by its author).
    ("reviewer", "reviewer-demo-2026", Role.INSTRUCTOR, "Dr. Rita Reviewer"),
    ("student", "student-demo-2026", Role.STUDENT, "Sam Student"),
    ("student2", "student-demo-2026", Role.STUDENT, "Riley Student"),
    ("student3", "student-demo-2026", Role.STUDENT, "Jordan Student"),
]


def load(*, stdout=None) -> list[tuple[str, str, str]]:
    """Create the demo accounts if missing (never resets a changed password)."""
    for username, password, role, display_name in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"role": role, "display_name": display_name}
        )
        if created:
            user.set_password(password)
            user.is_staff = user.is_superuser = role == Role.ADMIN
            user.save()
    return [(u, p, r.label) for u, p, r, _ in DEMO_ACCOUNTS]
