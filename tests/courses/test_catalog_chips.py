"""The catalog's module chips look like chips and are links to their module (no dead look-alikes)."""

from __future__ import annotations

import re

import pytest

from courses.models import Module

pytestmark = pytest.mark.django_db


def test_every_module_chip_links_to_its_module(student_client, program):
    html = student_client.get("/courses/").content.decode()
    chips = re.findall(r'<a class="module-chip module-chip--[\w-]+" href="/courses/modules/(\d+)/">', html)
    assert sorted(int(pk) for pk in chips) == sorted(Module.objects.filter(program=program).values_list("pk", flat=True))
    assert '<li class="module-chip' not in html  # no chip that looks clickable but is not
