"""LTI role URIs to Codewise roles. Pure: no Django, no database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"

LEARNER = {"Learner", "Student"}
TEACHER = {"Instructor", "TeachingAssistant", "ContentDeveloper", "Faculty", "Mentor"}
ADMINISTRATOR = {"Administrator", "SysAdmin"}


@dataclass(frozen=True)
class RoleSummary:
    is_learner: bool
    is_instructor: bool
    is_administrator: bool

    def codewise_role(self, *, trust_administrator: bool) -> str:
        """student, instructor or admin (accounts.models.Role values)."""
        if self.is_administrator and trust_administrator:
            return "admin"
        if self.is_instructor or self.is_administrator:
            return "instructor"
        return "student"


def _role_names(uri: str) -> set[str]:
    """Every role name a URI carries: 'membership#Instructor' and 'membership/Instructor#TeachingAssistant'."""
    uri = uri.strip()
    tail = uri[len(LIS):] if uri.startswith(LIS) else uri
    names = set()
    if "#" in tail:
        path, fragment = tail.split("#", 1)
        names.add(fragment)
        if path.startswith("membership/"):  # a sub-role names its principal role in the path
            names.add(path.split("/", 1)[1])
    else:
        names.add(tail.rsplit("/", 1)[-1])
    return names


def summarize_roles(roles: Iterable[str]) -> RoleSummary:
    """Context roles decide learner and instructor; system, institution and context Administrator decide admin."""
    learner = instructor = administrator = False
    for uri in roles or ():
        if not isinstance(uri, str):
            continue
        names = _role_names(uri)
        is_context = uri.startswith(LIS + "membership") or not uri.startswith(LIS)
        if names & ADMINISTRATOR:
            administrator = True
        if not is_context:
            continue  # an institution "Student" or "Faculty" says nothing about this course
        if names & TEACHER:
            instructor = True
        elif names & LEARNER:
            learner = True
    return RoleSummary(is_learner=learner and not instructor, is_instructor=instructor, is_administrator=administrator)
