from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def _role_links(user) -> list[tuple[str, str]]:
    links = [
        ("home", "Dashboard"),
        ("courses:catalog", "Courses"),
        ("exercises:case_list", "Chart cases"),
        ("certification:exam_list", "Practice exams"),
        ("lookup:browse", "Code lookup"),
    ]
    if user.is_instructor or user.is_admin:
        links.append(("exercises:review_queue", "Review"))
        links.append(("courses:cohort_list", "Cohorts"))
        links.append(("codesets:flag_queue", "Code-set review"))
    if user.is_admin:
        links.append(("codesets:release_list", "Code sets"))
    return links


def navigation(request) -> dict:
    """Navigation links for the signed-in user's role; the longest matching prefix is current."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    resolved = []
    for name, label in _role_links(user):
        try:
            resolved.append({"href": reverse(name), "label": label})
        except NoReverseMatch:
            continue
    path = request.path
    matches = [link for link in resolved if path == link["href"] or (link["href"] != "/" and path.startswith(link["href"]))]
    if matches:
        max(matches, key=lambda link: len(link["href"]))["current"] = True
    return {"nav_links": resolved}
