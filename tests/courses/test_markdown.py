"""Author-written Markdown is shown safely: no script, frames, styles, handlers or script URLs."""

from __future__ import annotations

import pytest

from courses.markdown import render_markdown

HOSTILE = [
    ("<script>alert('x')</script>Hello", ["<script", "alert("]),
    ("<iframe src='https://evil.example'></iframe>text", ["<iframe", "evil.example"]),
    ("[click](javascript:alert(1))", ["javascript:"]),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', ["javascript", "JaVaScRiPt"]),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', ["data:"]),
    ('<img src="x" onerror="alert(1)">', ["onerror"]),
    ('<p onclick="steal()">hi</p>', ["onclick", "steal"]),
    ('<div style="position:fixed">x</div>', ["style="]),
    ("<style>body{display:none}</style>ok", ["<style", "display:none"]),
    ('<svg onload="alert(1)"><circle/></svg>', ["<svg", "onload"]),
    ('<object data="x.swf"></object><embed src="y">', ["<object", "<embed"]),
    ('<form action="https://evil.example"><input name=p></form>', ["<form", "<input"]),
]


@pytest.mark.parametrize(("source", "forbidden"), HOSTILE)
def test_hostile_markup_is_neutralised(source, forbidden):
    html = render_markdown(source)
    for needle in forbidden:
        assert needle.lower() not in html.lower(), html


def test_ordinary_markdown_survives():
    html = render_markdown("# Title\n\n**bold** and [guidelines](https://www.cms.gov/) \n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two")
    assert "<h2>Title</h2>" in html  # the page owns h1
    assert "<strong>bold</strong>" in html
    assert 'href="https://www.cms.gov/"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<table>" in html and "<li>one</li>" in html


def test_lesson_page_shows_neutralised_body(student_client, word_parts_lesson):
    word_parts_lesson.body = "Safe text <script>document.title='pwned'</script> <a href=\"javascript:alert(1)\">x</a>"
    word_parts_lesson.save()
    response = student_client.get(f"/courses/lessons/{word_parts_lesson.pk}/")
    assert response.status_code == 200
    assert b"Safe text" in response.content
    assert b"pwned" not in response.content and b"javascript:alert" not in response.content
