"""Hostile XML is refused by every XML reader, and an upload of it stores nothing (property 15).

Billion laughs and external entities have their own tests beside each parser; this file adds the
quadratic blowup (one large entity referenced many times, which nested-entity limits miss) and
runs every attack against both readers: the Tabular List and the Alphabetic Index.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from codesets.models import Code, CodeSetRelease
from codesets.parsers import CodeSetFormatError
from codesets.parsers.icd10cm_xml import parse_icd10cm_xml
from lookup.alphaindex import IndexFormatError, parse_index_xml


def quadratic_blowup(root: str, inner: str) -> bytes:
    """A 50 kB entity referenced 5,000 times: 250 MB once expanded, from a 300 kB file."""
    entity = "x" * 50_000
    references = "&big;" * 5_000
    return (
        f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY big "{entity}">]>'
        f"<{root}>{inner.format(references)}</{root}>"
    ).encode()


def billion_laughs(root: str, inner: str) -> bytes:
    levels = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)]
    return f'<?xml version="1.0"?><!DOCTYPE {root} [{"".join(levels)}]><{root}>{inner.format("&l9;")}</{root}>'.encode()


def external_entity(root: str, inner: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
        f"<{root}>{inner.format('&ext;')}</{root}>"
    ).encode()


ATTACKS = [quadratic_blowup, billion_laughs, external_entity]
TABULAR = ("ICD10CM.tabular", "<chapter><name>1</name><desc>{}</desc></chapter>")
INDEX = ("ICD10CM.index", "<letter><title>A</title><mainTerm><title>{}</title><code>A00.0</code></mainTerm></letter>")


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda attack: attack.__name__)
def test_the_tabular_reader_refuses_it(attack):
    with pytest.raises(CodeSetFormatError, match="DTD, entities or external references"):
        parse_icd10cm_xml(io.BytesIO(attack(*TABULAR)))


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda attack: attack.__name__)
def test_the_alphabetic_index_reader_refuses_it(attack):
    with pytest.raises(IndexFormatError, match="refused for safety"):
        parse_index_xml(io.BytesIO(attack(*INDEX)))


@pytest.mark.django_db
@pytest.mark.parametrize("attack", ATTACKS, ids=lambda attack: attack.__name__)
def test_an_upload_is_a_400_and_stores_nothing(attack, admin_user):
    client = APIClient()
    client.force_login(admin_user)
    payload = {
        "system": "icd10cm", "label": "Hostile", "effective_from": "2025-10-01",
        "file": SimpleUploadedFile("tabular.xml", attack(*TABULAR)),
    }
    response = client.post("/api/v1/codesets/upload/", payload, format="multipart")
    assert response.status_code == 400
    assert "DTD, entities or external references" in response.json()["detail"]
    assert not CodeSetRelease.objects.exists() and not Code.objects.exists()
