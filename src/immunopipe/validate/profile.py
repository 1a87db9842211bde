"""Clinic profiles loaded and checked like articles: strict YAML, their own schema, a checked logo.

A profile is a small YAML file (``examples/clinic.yaml``) read with the same strict loader as
articles (:mod:`immunopipe.load`) and checked against ``schema/profile.schema.json``, so every
problem is a :class:`~immunopipe.diagnostics.Diagnostic` with its line and column. Then:

* the profile needs ``opening_hours`` or ``questions`` (or both): one way to reach the clinic;
* the logo, when there is one, is a plain file name in the profile's own folder. It is read once
  here, refusing links that leave the folder and anything over :data:`MAX_LOGO_BYTES` before a
  byte is read, and its bytes are checked for what they claim to be: a PNG whose chunks are
  whole (checksums, image data, ``IEND``) and at most :data:`MAX_LOGO_PIXELS` a side, or an SVG without
  scripts, event handlers, ``foreignObject``, ``<image>``/``<feImage>``, ``<set>``/``<animate*>``,
  DOCTYPE/entities, or references (``href``/``src`` in any letter case, CSS ``url()`` and
  ``@import``) to anything but its own ``#fragments``, or backslashes in its stylesheet or
  attributes (CSS escapes could spell ``url(``). Such an SVG is refused, not cleaned:
  nothing in it ever runs or loads.
  The handout renderer serves exactly these checked bytes, and nothing else from the folder.

Passes::

    organisation: Riverside Health Centre
    phone: "+44 20 7946 0000"
    opening_hours: Monday to Friday, 8am to 6pm

Fails::

    organisation: Riverside Health Centre
    phone: "<script>alert(1)</script>"    # schema-pattern
    logo: ../secrets.png                  # schema-pattern: a file name in the profile's folder
"""

from __future__ import annotations

import dataclasses
import re
import struct
import zlib
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from immunopipe.article_schema import SchemaUnavailable
from immunopipe.diagnostics import Diagnostic, Severity
from immunopipe.load import LoadError, load_path
from immunopipe.profile import Logo, Profile
from immunopipe.schemas import SchemaFileUnavailable, read
from immunopipe.validate.schema import SchemaChecker

#: Largest logo file read, checked before reading: a logo is a few KiB, never megabytes.
MAX_LOGO_BYTES = 512 * 1024
#: Largest logo width or height in pixels (PNG) accepted.
MAX_LOGO_PIXELS = 4000

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
LOGO_MEDIA_TYPES = {".png": "image/png", ".svg": "image/svg+xml"}

#: Elements that run scripts, embed other content, load images or rewrite attributes (``<set>``,
#: ``<animate>``: they can set an ``href`` after the check), compared in lower case.
_SVG_FORBIDDEN_ELEMENTS = frozenset(
    {"script", "foreignobject", "iframe", "object", "embed", "audio", "video", "image", "feimage", "set", "discard"}
)
_SVG_REFERENCE_ATTRIBUTES = frozenset({"href", "src"})
_CSS_URL = re.compile(r"url\(\s*['\"]?(?!#)|@import", re.IGNORECASE)


#: What to write instead, per field whose schema pattern a value does not match.
PATTERN_HINTS: dict[str, str] = {
    "/phone": "write the phone number in digits, with spaces, brackets, dots, slashes or hyphens, "
    "e.g. '+44 20 7946 0000'",
    "/logo": "write the name of a .png or .svg file in the profile's own folder, e.g. 'logo.svg' (no folders)",
    "/web": "write an absolute web address such as https://clinic.example",
    "/online_version": "write a web address with {id} where the article's id goes, "
    "e.g. https://clinic.example/leaflets/{id}",
}
#: The hint for text fields: plain text on one line.
TEXT_HINT = "write plain text on one line, without <, >, { or } or control characters"


class ProfileError(Exception):
    """A profile that cannot be used; ``diagnostics`` says where and why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(f"{d.path}:{d.line}:{d.column}: {d.message}" for d in diagnostics))
        self.diagnostics = diagnostics


def load_profile_schema() -> dict[str, Any]:
    """The profile schema shipped inside the package (``immunopipe schema profile`` prints it)."""
    try:
        return read("profile")
    except SchemaFileUnavailable as exc:
        raise SchemaUnavailable(str(exc)) from exc


def check_profile(path: Path, *, display: str | None = None) -> tuple[Profile | None, list[Diagnostic]]:
    """Load and check the profile at ``path``: the profile (``None`` if it has errors) and every problem."""
    shown = display or str(path)
    try:
        document = load_path(path, display=shown)
    except LoadError as exc:
        return None, [
            _diagnostic(shown, problem.line, problem.column, problem.rule, problem.message) for problem in exc.problems
        ]
    diagnostics = [_diagnostic(shown, p.line, p.column, p.rule, p.message, p.pointer) for p in document.problems]
    diagnostics += [_with_hint(d) for d in SchemaChecker(load_profile_schema()).check(document)]
    if diagnostics:
        return None, sorted(diagnostics)
    data = document.data
    if "opening_hours" not in data and "questions" not in data:
        diagnostics.append(
            _diagnostic(
                shown,
                1,
                1,
                "profile-contact-times",
                "give 'opening_hours' or 'questions' (or both): when or why to call",
            )
        )
    logo = None
    if "logo" in data:
        logo, problem = _read_logo(path.parent, data["logo"])
        if problem:
            line, column = document.source_map.locate("/logo")
            diagnostics.append(_diagnostic(shown, line, column, "profile-logo", problem, "/logo"))
    if diagnostics:
        return None, diagnostics
    profile = Profile(
        organisation=data["organisation"],
        phone=data["phone"],
        web=data.get("web"),
        address=tuple(data.get("address", ())),
        opening_hours=data.get("opening_hours"),
        questions=data.get("questions"),
        online_version=data.get("online_version"),
        logo=logo,
    )
    return profile, []


def load_profile(path: Path) -> Profile:
    """The profile at ``path``; raises :class:`ProfileError` with every problem when it has any."""
    profile, diagnostics = check_profile(path)
    if profile is None:
        raise ProfileError(diagnostics)
    return profile


def _with_hint(diagnostic: Diagnostic) -> Diagnostic:
    """A pattern diagnostic worded for the field it is about, instead of quoting the pattern."""
    if diagnostic.rule != "schema-pattern":
        return diagnostic
    hint = PATTERN_HINTS.get(diagnostic.pointer, TEXT_HINT)
    message = diagnostic.message.split(": it must match the pattern", 1)[0]
    return dataclasses.replace(diagnostic, message=f"{message}: {hint}")


def _diagnostic(path: str, line: int, column: int, rule: str, message: str, pointer: str = "") -> Diagnostic:
    return Diagnostic(path, line, column, rule, message, Severity.ERROR, pointer)


def _read_logo(folder: Path, name: str) -> tuple[Logo | None, str | None]:
    """The logo ``name`` in ``folder``, read and checked, or why it cannot be used."""
    if "/" in name or "\\" in name or name.startswith("."):  # the schema says so too; never trust a pattern alone
        return None, f"the logo must be a file name in the profile's folder, not {name!r}"
    candidate = folder / name
    try:
        if not candidate.resolve().is_relative_to(folder.resolve()):
            return None, f"the logo {name} links to a file outside the profile's folder"
        if not candidate.is_file():
            return None, f"the logo {name} was not found in {folder} (it must sit beside the profile)"
        size = candidate.stat().st_size
        if size > MAX_LOGO_BYTES:
            return None, f"the logo {name} is {size:,} bytes; the limit is {MAX_LOGO_BYTES:,} bytes"
        with candidate.open("rb") as handle:
            data = handle.read(MAX_LOGO_BYTES + 1)
    except RuntimeError:  # Path.resolve() on a link that points back at itself (Python < 3.13)
        return None, f"the logo {name} is a link that leads back to itself (a symlink loop)"
    except OSError as exc:
        return None, f"cannot read the logo {name}: {exc.strerror or exc}"
    if len(data) > MAX_LOGO_BYTES:
        return None, f"the logo {name} is over {MAX_LOGO_BYTES:,} bytes"
    suffix = Path(name).suffix.lower()
    problem = _png_problem(data) if suffix == ".png" else _svg_problem(data)
    if problem:
        return None, f"the logo {name} {problem}"
    return Logo(name=name, media_type=LOGO_MEDIA_TYPES[suffix], data=data), None


def _png_problem(data: bytes) -> str | None:
    """Why ``data`` is not a whole PNG of a sensible size, or ``None``."""
    if not data.startswith(PNG_SIGNATURE):
        return "is not a PNG image (its first bytes are not a PNG signature)"
    offset, first, has_pixels = len(PNG_SIGNATURE), True, False
    while offset + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        end = offset + 12 + length
        if end > len(data):
            return "is a cut-off PNG (a chunk runs past the end of the file)"
        body = data[offset + 4 : end - 4]
        if zlib.crc32(body) != struct.unpack(">I", data[end - 4 : end])[0]:
            return f"is a damaged PNG (the checksum of its {kind.decode('latin-1')!r} chunk is wrong)"
        if first:
            if kind != b"IHDR" or length != 13:
                return "is a damaged PNG (it does not start with an IHDR chunk)"
            width, height = struct.unpack(">II", body[4:12])
            if width == 0 or height == 0:
                return f"is a damaged PNG (it is {width}x{height}: it has no pixels)"
            if width > MAX_LOGO_PIXELS or height > MAX_LOGO_PIXELS:
                return f"is {width}x{height} pixels; at most {MAX_LOGO_PIXELS} a side"
            first = False
        has_pixels = has_pixels or kind == b"IDAT"
        if kind == b"IEND":
            return None if has_pixels else "is a damaged PNG (it has no IDAT chunk: no image data)"
        offset = end
    return "is a cut-off PNG (it has no IEND chunk)"


def _svg_problem(data: bytes) -> str | None:
    """Why ``data`` is not a self-contained, script-free SVG, or ``None``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "is not an SVG image (it is not UTF-8 text)"
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        return "declares a DOCTYPE or entities, which an SVG logo does not need: remove them"
    if re.search(r"<\?xml-stylesheet", text, re.IGNORECASE):
        return "links a stylesheet: an SVG logo may not load other files"
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        return f"is not well-formed SVG: {exc}"
    if root.tag != f"{SVG_NAMESPACE}svg":
        return "is not an SVG image (its root element is not <svg> in the SVG namespace)"
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        for attribute, value in element.attrib.items():
            name = attribute.rsplit("}", 1)[-1].lower()  # a renderer may read HREF as href
            if name.startswith("on"):
                return f"has an event handler ({name} on <{local}>): an SVG logo may not run scripts"
            if name in _SVG_REFERENCE_ATTRIBUTES and not value.strip().startswith("#"):
                return f"refers to {value!r} (on <{local}>): an SVG logo may only refer to its own parts (#id)"
            if "\\" in value:  # CSS reads \75rl( as url(: escapes are refused, never decoded
                return f"uses a backslash escape in {name}={value!r} (on <{local}>): write the text without escapes"
            if _CSS_URL.search(value):
                return f"loads {value!r} (on <{local}>): an SVG logo may not load other files"
        if local.lower() in _SVG_FORBIDDEN_ELEMENTS or local.lower().startswith("animate"):
            return (
                f"holds a <{local}> element: an SVG logo may not run scripts, embed or load other content, "
                "or animate its attributes"
            )
        if local == "style" and element.text and "\\" in element.text:
            return "uses a backslash escape in its stylesheet (CSS reads \\69mport as import): write it without escapes"
        if local == "style" and element.text and _CSS_URL.search(element.text):
            return "loads a file from its stylesheet: an SVG logo may not load other files"
    return None
