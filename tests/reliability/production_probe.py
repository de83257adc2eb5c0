"""Walk one page of every kind in production mode and print the security headers as JSON.

Run by ``test_production_headers.py`` in a child process, because production settings are read
once at start-up: DJANGO_ENV=production, a real secret key, a private SQLite database and
collected static files (the manifest storage production uses). Each role signs in through the
test client over HTTPS, as it would behind the TLS-terminating proxy.
"""

from __future__ import annotations

import json
import os
import sys
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_lms.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

HEADERS = (
    "Strict-Transport-Security",
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Cache-Control",
    "Content-Type",
    "Location",
)


def build_world() -> dict[str, object]:
    from accounts.models import Role, User
    from courses.models import Cohort, CohortMembership
    from exercises.models import Case, CaseDocument

    password = "probe-Passw0rd-2026!"
    people = {}
    for username, role in (("probe_student", Role.STUDENT), ("probe_instructor", Role.INSTRUCTOR), ("probe_admin", Role.ADMIN)):
        user = User(username=username, display_name=username.replace("_", " ").title(), role=role)
        if role == Role.ADMIN:
            user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        people[role] = user
    cohort = Cohort.objects.create(name="Probe cohort")
    cohort.instructors.add(people[Role.INSTRUCTOR])
    CohortMembership.objects.create(cohort=cohort, student=people[Role.STUDENT])
    case = Case.objects.create(title="Probe case", slug="probe-case", summary="Synthetic.", is_published=True,
                               review_status="verified", exam_domain="icd10cm")
    CaseDocument.objects.create(case=case, title="Note", body="Patient seen for follow-up.", order=0)
    return {"password": password, "people": people, "case": case, "cohort": cohort}


def probe(client: Client, path: str) -> dict[str, object]:
    response = client.get(path, secure=True)
    return {"path": path, "status": response.status_code, **{name: response.headers.get(name) for name in HEADERS}}


def main() -> None:
    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0, stdout=StringIO())
    world = build_world()
    from accounts.models import Role

    pages: dict[str, list[str]] = {
        "anonymous": ["/accounts/login/", "/health/", "/no-such-page/", "/api/v1/cases/"],
        Role.STUDENT: ["/", "/courses/", "/courses/flashcards/", "/cases/", f"/cases/{world['case'].slug}/",
                       "/exams/", "/exams/readiness/", "/lookup/", "/api/v1/cases/", "/cases/no-such-case/"],
        Role.INSTRUCTOR: ["/cases/review/", "/courses/cohorts/", f"/courses/cohorts/{world['cohort'].pk}/",
                          "/exams/cohorts/", "/cases/new/"],
        Role.ADMIN: ["/admin/", "/codesets/", "/exams/operations/"],
    }
    results: list[dict[str, object]] = []
    plain_http = Client(raise_request_exception=False).get("/accounts/login/")
    results.append({"path": "http:/accounts/login/", "status": plain_http.status_code,
                    **{name: plain_http.headers.get(name) for name in HEADERS}})
    for who, paths in pages.items():
        client = Client(raise_request_exception=False)
        if who != "anonymous":
            user = world["people"][who]
            signed_in = client.post("/accounts/login/", {"username": user.username, "password": world["password"]}, secure=True)
            assert signed_in.status_code == 302, f"{user.username} could not sign in: {signed_in.status_code}"
        for path in paths:
            results.append({"who": str(who), **probe(client, path)})
    print(json.dumps(results))


if __name__ == "__main__":
    main()
