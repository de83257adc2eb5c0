"""Reading time of a lesson, computed from its text (never typed by an author)."""

from __future__ import annotations

import math
import re

# Study reading of technical text is slower than the 230-250 words a minute of light prose.
WORDS_PER_MINUTE = 200

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[0-9A-Za-z\u00C0-\u024F][0-9A-Za-z\u00C0-\u024F'’.\-/]*")


def reading_minutes(markdown_text: str) -> int:
    """Whole minutes to read ``markdown_text`` at WORDS_PER_MINUTE, at least 1."""
    text = _TAG.sub(" ", _LINK.sub(r"\1", markdown_text or ""))
    words = len(_WORD.findall(text))
    return max(1, math.ceil(words / WORDS_PER_MINUTE))
