"""Safe Markdown: render with Python-Markdown, then sanitise with nh3 against a strict allowlist.

Reusable by any app that shows author-written text (lessons, case notes, explanations).
Scripts, iframes, styles, event-handler attributes and non-web URL schemes
(``javascript:``, ``data:``, ``vbscript:``) never survive: the attribute or tag is dropped.
Pure: no Django imports.
"""

from __future__ import annotations

import markdown as _markdown
import nh3

ALLOWED_TAGS: frozenset[str] = frozenset({
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "sub", "sup", "mark",
    "small", "abbr", "blockquote", "code", "pre", "kbd", "ul", "ol", "li", "dl", "dt", "dd", "a",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "img", "figure", "figcaption", "span", "div",
})
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
# Tags removed together with everything inside them.
DROPPED_WITH_CONTENT: frozenset[str] = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template"})
MARKDOWN_EXTENSIONS = ["tables", "fenced_code", "sane_lists", "def_list", "abbr"]


def sanitize_html(html: str) -> str:
    """Keep only allowlisted tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Markdown to safe HTML. A level-one heading in the source is shown as level two (the page owns h1)."""
    html = _markdown.markdown(text or "", extensions=MARKDOWN_EXTENSIONS, output_format="html")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>").replace("<h1 ", "<h2 ")
    return sanitize_html(html)


def render_inline(text: str) -> str:
    """Short text (a prompt, a choice) rendered as Markdown without the surrounding paragraph."""
    html = render_markdown(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
