"""Course packages: a zip of ``course.json`` plus one Markdown file per lesson. Pure: no Django imports.

Reading is defensive: the archive is checked (member count, total and per-member
uncompressed size, compression ratio, absolute paths, ``..``, symlinks, encryption,
unexpected names) before any member is read, and the manifest is validated with the
same rules as the YAML content files. Any problem raises PackageError.
"""

from __future__ import annotations

import io
import json
import re
import stat
import zipfile
from decimal import Decimal
from typing import Any

from coding_lms.json_input import JSONTooDeep, loads_untrusted

from .content_loader import (
    ContentBundle, ContentError, check_bundle, parse_deck, parse_module, parse_program,
)

FORMAT_NAME = "codewise-course"
# Version 2 marks the right options of a choice question on the options themselves
# ({"text": ..., "correct": true}). Version 1 gave them as indices in "answer"; such
# packages are still read, and upgraded before validation.
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
MANIFEST = "course.json"
MAX_PACKAGE_BYTES = 10 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_TOTAL_UNCOMPRESSED = 25 * 1024 * 1024
MAX_MEMBER_UNCOMPRESSED = 5 * 1024 * 1024
MAX_RATIO = 200
LESSON_PATH_RE = re.compile(r"^lessons/[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9_-]*\.md$")


class PackageError(ValueError):
    def __init__(self, errors: list[str] | str):
        self.errors = [errors] if isinstance(errors, str) else errors
        super().__init__("; ".join(self.errors[:5]))


def lesson_path(module_slug: str, lesson_slug: str) -> str:
    return f"lessons/{module_slug}/{lesson_slug}.md"


def build_package(*, manifest: dict, lesson_bodies: dict[str, str]) -> bytes:
    """Write the zip: ``course.json`` then each lesson body at its path."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False, default=_json_default))
        for path, body in sorted(lesson_bodies.items()):
            archive.writestr(path, body)
    return buffer.getvalue()


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _check_member(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if not name or "\x00" in name:
        return "a member has an empty or invalid name"
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return f"{name!r} is an absolute path"
    if "\\" in name:
        return f"{name!r} uses backslashes"
    if ".." in name.split("/"):
        return f"{name!r} points outside the package (..)"
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return f"{name!r} is a symbolic link"
    if info.flag_bits & 0x1:
        return f"{name!r} is encrypted"
    if info.is_dir():
        return None
    if name != MANIFEST and not LESSON_PATH_RE.match(name):
        return f"unexpected file {name!r} (a package holds course.json and lessons/<module>/<lesson>.md)"
    if info.file_size > MAX_MEMBER_UNCOMPRESSED:
        return f"{name!r} is larger than {MAX_MEMBER_UNCOMPRESSED // (1024 * 1024)} MB uncompressed"
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1024 * 1024:
        return f"{name!r} is compressed suspiciously well (a zip bomb?)"
    return None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    with archive.open(info) as handle:
        data = handle.read(MAX_MEMBER_UNCOMPRESSED + 1)
    if len(data) > MAX_MEMBER_UNCOMPRESSED or len(data) != info.file_size:
        raise PackageError(f"{info.filename!r} does not match its declared size")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise PackageError(f"{info.filename!r} is not UTF-8 text") from None


def open_package(data: bytes) -> tuple[dict, dict[str, str]]:
    """Check the archive and return (manifest, {lesson path: Markdown})."""
    if len(data) > MAX_PACKAGE_BYTES:
        raise PackageError(f"The package is larger than {MAX_PACKAGE_BYTES // (1024 * 1024)} MB.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise PackageError("This file is not a zip archive.") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise PackageError(f"The package has {len(infos)} files; the limit is {MAX_MEMBERS}.")
        total = sum(i.file_size for i in infos)
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise PackageError(
                f"The package expands to {total // (1024 * 1024)} MB; the limit is {MAX_TOTAL_UNCOMPRESSED // (1024 * 1024)} MB."
            )
        problems = [p for p in (_check_member(i) for i in infos) if p]
        if problems:
            raise PackageError(problems)
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise PackageError("The package lists the same file twice.")
        if MANIFEST not in names:
            raise PackageError("course.json is missing: this is not a course package.")
        try:
            texts = {i.filename: _read_member(archive, i) for i in infos if not i.is_dir()}
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise PackageError(f"The archive is damaged ({exc}).") from None
    try:
        manifest = loads_untrusted(texts.pop(MANIFEST))
    except json.JSONDecodeError as exc:
        raise PackageError(f"course.json is not valid JSON (line {exc.lineno}: {exc.msg}).") from None
    except JSONTooDeep as exc:
        raise PackageError(f"course.json: {exc}") from None
    return manifest, texts


def bundle_from_package(data: bytes) -> ContentBundle:
    """Open, check and validate a package; return the content ready to be written."""
    manifest, bodies = open_package(data)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise PackageError(f"course.json does not describe a {FORMAT_NAME} package.")
    if manifest.get("version") not in READABLE_VERSIONS:
        raise PackageError(f"Unsupported package version {manifest.get('version')!r} "
                           f"(this site reads versions {', '.join(map(str, READABLE_VERSIONS))}).")
    errors: list[str] = []
    if manifest["version"] == 1:
        manifest = _upgrade_v1(manifest, errors)
    program = parse_program(manifest.get("program"), "course.json › program", errors)
    modules_data = manifest.get("modules")
    decks_data = manifest.get("decks", [])
    if not isinstance(modules_data, list) or not isinstance(decks_data, list):
        raise PackageError("course.json › 'modules' and 'decks' must be lists.")
    used_bodies: set[str] = set()
    modules = []
    for i, module_data in enumerate(modules_data, start=1):
        if isinstance(module_data, dict) and isinstance(module_data.get("lessons"), list):
            module_data = dict(module_data)
            lessons = []
            for lesson in module_data["lessons"]:
                if isinstance(lesson, dict) and "body_file" in lesson:
                    lesson = dict(lesson)
                    path = lesson.pop("body_file")
                    if path not in bodies:
                        errors.append(f"course.json › module {i}: lesson body {path!r} is not in the package")
                    else:
                        used_bodies.add(path)
                        lesson["body"] = bodies[path]
                lessons.append(lesson)
            module_data["lessons"] = lessons
        module = parse_module(module_data, f"course.json › module {i}", errors)
        if module:
            modules.append(module)
    parsed_decks = [parse_deck(raw, f"course.json › deck {i}", errors) for i, raw in enumerate(decks_data, start=1)]
    decks = [d for d in parsed_decks if d]
    if program is not None:
        modules = check_bundle(program, modules, errors)
    for extra in sorted(set(bodies) - used_bodies):
        errors.append(f"{extra!r} is not used by any lesson")
    if errors or program is None:
        raise PackageError(errors or ["course.json › program is invalid"])
    return ContentBundle(program=program, modules=modules, decks=decks)


def _upgrade_v1(manifest: dict, errors: list[str]) -> dict:
    """Version 1 choice questions (``choices`` as text, ``answer`` as indices) in the version 2 shape."""
    modules = manifest.get("modules")
    if not isinstance(modules, list):
        return manifest
    upgraded = []
    for m, module in enumerate(modules, start=1):
        if isinstance(module, dict) and isinstance(module.get("lessons"), list):
            lessons = []
            for n, lesson in enumerate(module["lessons"], start=1):
                if isinstance(lesson, dict) and isinstance(lesson.get("quiz"), list):
                    where = f"course.json › module {m} › lesson {n} › question"
                    quiz = [_upgrade_v1_question(q, f"{where} {i}", errors)
                            for i, q in enumerate(lesson["quiz"], start=1)]
                    lesson = dict(lesson, quiz=quiz)
                lessons.append(lesson)
            module = dict(module, lessons=lessons)
        upgraded.append(module)
    return dict(manifest, modules=upgraded)


def _upgrade_v1_question(question: Any, where: str, errors: list[str]) -> Any:
    if not isinstance(question, dict) or question.get("kind") not in ("single", "multiple"):
        return question
    choices, answer = question.get("choices"), question.get("answer")
    answer = answer if isinstance(answer, list) else [answer]
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        return question  # not version 1 text choices: the schema reports what is wrong
    if not all(isinstance(a, int) and not isinstance(a, bool) and 0 <= a < len(choices) for a in answer):
        errors.append(f"{where}: 'answer' index out of range for {len(choices)} choices")
        return question
    upgraded = {k: v for k, v in question.items() if k != "answer"}
    upgraded["choices"] = [
        {"text": text, "correct": True} if i in answer else {"text": text} for i, text in enumerate(choices)
    ]
    return upgraded


__all__ = ["ContentError", "PackageError", "build_package", "bundle_from_package", "lesson_path", "open_package"]
