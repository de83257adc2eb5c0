"""Safe Markdown for chart documents: Markdown to HTML, then an allow-list sanitiser (nh3)."""

from __future__ import annotations

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd", "sup", "sub",
}


def render_markdown(text: str) -> SafeString:
    html = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return mark_safe(nh3.clean(html, tags=ALLOWED_TAGS, attributes={}, link_rel=None, url_schemes=set()))  # noqa: S308
