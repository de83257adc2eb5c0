"""Template helpers for the code lookup."""

from __future__ import annotations

import re

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# E11.40, S79.1-, E85.-, C4A, T15.01XA; a range dash (E00-E07) is not part of the code.
_CODE_IN_TEXT = re.compile(r"\b([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)(\.-|-(?![A-Z0-9]))?")


@register.simple_tag
def link_codes(text: str, release_id: int | None = None, system: str = "") -> SafeString:
    """Escape a note and link every code it names to that code's page in the same release."""
    escaped = escape(str(text))
    query = []
    if release_id:
        query.append(f"release={int(release_id)}")
    if system:
        query.append(f"system={escape(system)}")
    suffix = ("?" + "&amp;".join(query)) if query else ""

    def link(match: re.Match) -> str:
        url = reverse("lookup:code_detail", args=[match.group(1)])
        return f'<a class="code-link" href="{url}{suffix}">{match.group(0)}</a>'

    return mark_safe(_CODE_IN_TEXT.sub(link, escaped))  # noqa: S308 - built from escaped text
