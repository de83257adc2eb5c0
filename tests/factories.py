"""Model factories shared by the whole suite."""

from __future__ import annotations

import datetime

import factory

from accounts.models import Role, User
from codesets.models import Code, CodeKind, CodeSetRelease, CodeSystem, ReleaseStatus
from courses.models import Cohort, CohortMembership

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"Test User {n}")
    role = Role.STUDENT
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StudentFactory(UserFactory):
    role = Role.STUDENT


class InstructorFactory(UserFactory):
    role = Role.INSTRUCTOR


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True
    is_superuser = True


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Cohort {n}")

    @factory.post_generation
    def instructors(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.instructors.add(*extracted)

    @factory.post_generation
    def students(obj, create, extracted, **kwargs):
        if create and extracted:
            for student in extracted:
                CohortMembership.objects.create(cohort=obj, student=student)


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CodeSetRelease

    system = CodeSystem.ICD10CM
    label = factory.Sequence(lambda n: f"TEST{n}")
    effective_from = datetime.date(2025, 10, 1)
    status = ReleaseStatus.READY
    is_current = False


class CodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Code

    release = factory.SubFactory(ReleaseFactory)
    code = "E119"
    display_code = factory.LazyAttribute(lambda o: o.code if len(o.code) <= 3 else f"{o.code[:3]}.{o.code[3:]}")
    kind = CodeKind.CODE
    long_title = factory.LazyAttribute(lambda o: f"Title of {o.code}")
    short_title = factory.LazyAttribute(lambda o: f"Short {o.code}")
    billable = True
    sort_order = factory.Sequence(lambda n: n)
