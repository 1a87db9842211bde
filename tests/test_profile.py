"""Clinic profiles: strict loading, located diagnostics, a checked logo, and the QR code that scans."""

from __future__ import annotations

import dataclasses
import http.server
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from handout_variants import EXAMPLE_PROFILE, REPO, SEED, handout
from pdf_support import RequestLog

from immunopipe.validate.profile import MAX_LOGO_BYTES, check_profile

GOOD = """organisation: Riverside Health Centre
phone: "+44 20 7946 0000"
opening_hours: Monday to Friday, 8am to 6pm
"""


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request made to it."""
    handler = type("Log", (RequestLog,), {"paths": []})
    httpd = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler.paths
    httpd.shutdown()


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "immunopipe", *args], cwd=cwd, capture_output=True, text=True)


def _project(tmp_path: Path, profile: str, files: dict[str, bytes] | None = None) -> Path:
    (tmp_path / "content").mkdir()
    shutil.copy(SEED, tmp_path / "content" / SEED.name)
    (tmp_path / "clinic.yaml").write_text(profile, encoding="utf-8")
    for name, data in (files or {}).items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def test_example_profile_is_valid() -> None:
    profile, diagnostics = check_profile(EXAMPLE_PROFILE)
    assert diagnostics == [] and profile is not None and profile.logo is not None


@pytest.mark.parametrize(
    ("profile", "files", "expected"),
    [
        (GOOD + "logo: missing.png\n", {}, "clinic.yaml:4:7: error: the logo missing.png was not found"),
        (
            GOOD.replace('"+44 20 7946 0000"', '"<img src=x onerror=alert(1)>"'),
            {},
            "clinic.yaml:2:8: error: '<img src=x onerror=alert(1)>' is not allowed here: write the phone number",
        ),
        (GOOD + "fax: 123\n", {}, "clinic.yaml:4:1: error: unknown key 'fax'"),
        (
            GOOD + "logo: ../secret.png\n",
            {},
            "clinic.yaml:4:7: error: '../secret.png' is not allowed here: write the name",
        ),
        (GOOD + "logo: bad.png\n", {"bad.png": b"GIF89a not a png"}, "is not a PNG image"),
        ("organisation: X\nphone: '12345'\n", {}, "give 'opening_hours' or 'questions'"),
        (
            GOOD + "online_version: https://clinic.example/leaflets\n",
            {},
            "clinic.yaml:4:17: error: 'https://clinic.example/leaflets' is not allowed here: write a web address "
            "with {id}",
        ),
    ],
    ids=["missing-logo", "html-phone", "unknown-key", "logo-outside", "not-a-png", "no-hours", "no-id"],
)
def test_bad_profiles_are_located_and_exit_1(
    tmp_path: Path, profile: str, files: dict[str, bytes], expected: str
) -> None:
    project = _project(tmp_path, profile, files)
    result = _cli("validate", "--profile", "clinic.yaml", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("line", "pointer"),
    [
        ('web: "https://clinic.example/\\0"\n', "/web"),
        ('organisation: "Riverside\\a Health"\n', "/organisation"),
        ('questions: "Call us \\e[31mnow"\n', "/questions"),
        ('address: ["1 River Road\\N"]\n', "/address/0"),
        ('online_version: "https://clinic.example/\\x01{id}"\n', "/online_version"),
    ],
    ids=["web-nul", "organisation-bell", "questions-escape", "address-next-line", "online-version-control"],
)
def test_control_characters_are_refused_in_every_text_field(tmp_path: Path, line: str, pointer: str) -> None:
    text = GOOD.replace("organisation: Riverside Health Centre\n", "") if "organisation" in line else GOOD
    (tmp_path / "clinic.yaml").write_text(text + line, encoding="utf-8")
    profile, diagnostics = check_profile(tmp_path / "clinic.yaml")
    assert profile is None
    assert [(d.rule, d.pointer) for d in diagnostics] == [("schema-pattern", pointer)]


def test_huge_logo_is_refused_before_it_is_read(tmp_path: Path) -> None:
    project = _project(tmp_path, GOOD + "logo: huge.png\n")
    with (project / "huge.png").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # 50 MB, sparse
    result = _cli("export", "--to", "pdf", "--profile", "clinic.yaml", "--no-cache", cwd=project)
    assert result.returncode == 1
    assert f"the logo huge.png is 52,428,800 bytes; the limit is {MAX_LOGO_BYTES:,} bytes" in result.stdout
    assert not (project / "exports").exists()  # nothing written


def test_svg_with_script_and_external_reference_is_refused_and_nothing_fetched(
    tmp_path: Path, server: tuple[str, list[str]]
) -> None:
    base, requests = server
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        f'<script>alert(1)</script><image xlink:href="{base}/pixel.png" width="5" height="5"/></svg>'
    )
    project = _project(tmp_path, GOOD + "logo: logo.svg\n", {"logo.svg": svg.encode()})
    result = _cli("export", "--to", "pdf", "--profile", "clinic.yaml", "--no-cache", cwd=project)
    assert result.returncode == 1
    assert "clinic.yaml:4:7: error: the logo logo.svg holds a <script> element" in result.stdout
    (project / "logo.svg").write_text(svg.replace("<script>alert(1)</script>", ""), encoding="utf-8")
    result = _cli("validate", "--profile", "clinic.yaml", cwd=project)
    assert result.returncode == 1 and "may only refer to its own parts" in result.stdout
    assert requests == []


def test_svg_refusals(tmp_path: Path) -> None:
    cases = {
        "handler": '<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>',
        "entity": '<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"/>',
        "css": '<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(http://x/a.css);</style></svg>',
        "broken": "<svg",
        "image-without-href": '<svg xmlns="http://www.w3.org/2000/svg"><image width="5" height="5"/></svg>',
        "upper-case-href": '<svg xmlns="http://www.w3.org/2000/svg"><use HREF="http://x/a.svg#a"/></svg>',
        "set-href": '<svg xmlns="http://www.w3.org/2000/svg"><use href="#a"><set attributeName="href" '
        'to="http://x/a.svg#a"/></use></svg>',
        "animate": '<svg xmlns="http://www.w3.org/2000/svg"><rect><animate attributeName="fill"/></rect></svg>',
        "css-escape": '<svg xmlns="http://www.w3.org/2000/svg"><style>@\\69mport "http://x/a.css";</style></svg>',
        "css-escape-attribute": '<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:\\75rl(http://x/a#p)"/></svg>',
        "fe-image": '<svg xmlns="http://www.w3.org/2000/svg"><filter><feImage/></filter></svg>',
    }
    for name, svg in cases.items():
        (tmp_path / f"{name}.svg").write_text(svg, encoding="utf-8")
        (tmp_path / "clinic.yaml").write_text(GOOD + f"logo: {name}.svg\n", encoding="utf-8")
        profile, diagnostics = check_profile(tmp_path / "clinic.yaml")
        assert profile is None and [d.rule for d in diagnostics] == ["profile-logo"], name


def test_profile_from_pyproject_is_printed_and_never_in_json_or_csv(tmp_path: Path) -> None:
    project = _project(tmp_path, EXAMPLE_PROFILE.read_text(encoding="utf-8"))
    shutil.copy(EXAMPLE_PROFILE.with_name("riverside-logo.svg"), project / "riverside-logo.svg")
    (project / "pyproject.toml").write_text('[tool.immunopipe]\nprofile = "clinic.yaml"\n', encoding="utf-8")
    result = _cli("export", "--no-cache", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    document = pdfium.PdfDocument(project / "exports/pdf/immune-system-medicine.pdf")
    pdf_text = " ".join(" ".join(page.get_textpage().get_text_range() for page in document).split())
    assert "Riverside Health Centre" in pdf_text and "+44 20 7946 0000" in pdf_text
    checked = 0
    for data in (project / "exports").rglob("*"):
        if data.suffix in (".json", ".csv"):
            assert "Riverside" not in data.read_text(encoding="utf-8-sig")
            checked += 1
        elif data.suffix == ".xlsx":
            with zipfile.ZipFile(data) as workbook:
                assert not any(b"Riverside" in workbook.read(name) for name in workbook.namelist())
            checked += 1
    assert checked > 3


def test_without_profile_the_handout_names_no_clinic() -> None:
    text = "".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(handout("a4", False)))
    text = " ".join(text.split())
    assert "Questions? Contact" not in text and "no contact details given by the source" in text


@pytest.mark.parametrize(("paper", "large_print"), [("a4", False), ("letter", False), ("a4", True)])
def test_qr_code_scans_to_the_exact_online_address(paper: str, large_print: bool) -> None:
    document = pdfium.PdfDocument(handout(paper, large_print, with_profile=True))
    found = [
        barcode.text for page in document for barcode in zxingcpp.read_barcodes(page.render(scale=150 / 72).to_pil())
    ]
    assert found == ["https://clinic.example/leaflets/immune-system-medicine"]


def test_readme_shows_the_profile_picture() -> None:
    assert "docs/handout-profile-page1.png" in (REPO / "README.md").read_text(encoding="utf-8")
    assert (REPO / "docs" / "handout-profile-page1.png").is_file()


def _png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#005eb8").save(buffer, format="PNG")
    return buffer.getvalue()


def _zero_width(png: bytes) -> bytes:
    """``png`` with its IHDR width set to 0 (and the chunk's checksum made right again)."""
    import struct
    import zlib

    ihdr = png[12:16] + struct.pack(">I", 0) + png[20:29]
    return png[:8] + png[8:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + png[33:]


def test_png_logo_is_checked_and_printed(tmp_path: Path) -> None:
    from immunopipe.export.pdf import render_pdf
    from immunopipe.load import load_path
    from immunopipe.model import article_from_data

    (tmp_path / "logo.png").write_bytes(_png(60, 30))
    (tmp_path / "clinic.yaml").write_text(GOOD + "logo: logo.png\n", encoding="utf-8")
    profile, diagnostics = check_profile(tmp_path / "clinic.yaml")
    assert diagnostics == [] and profile is not None and profile.logo is not None
    assert profile.logo.media_type == "image/png"
    pdf = render_pdf(article_from_data(load_path(SEED).data), profile=profile)
    images = [obj for obj in pdfium.PdfDocument(pdf)[0].get_objects() if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
    assert len(images) == 1


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda png: png[:40], "is a cut-off PNG"),
        (lambda png: png[:29] + bytes([png[29] ^ 0xFF]) + png[30:], "checksum of its 'IHDR' chunk is wrong"),
        (lambda png: _png(5000, 1), "is 5000x1 pixels; at most 4000 a side"),
        (lambda png: png[:33] + png[png.index(b"IEND") - 4 :], "it has no IDAT chunk: no image data"),
        (lambda png: _zero_width(png), "it is 0x30: it has no pixels"),
    ],
    ids=["truncated", "bad-checksum", "too-wide", "no-image-data", "no-pixels"],
)
def test_damaged_or_oversized_png_is_a_diagnostic(tmp_path: Path, damage: object, message: str) -> None:
    (tmp_path / "logo.png").write_bytes(damage(_png(60, 30)))  # type: ignore[operator]
    (tmp_path / "clinic.yaml").write_text(GOOD + "logo: logo.png\n", encoding="utf-8")
    profile, diagnostics = check_profile(tmp_path / "clinic.yaml")
    assert profile is None
    assert [(d.line, d.column, d.rule) for d in diagnostics] == [(4, 7, "profile-logo")]
    assert message in diagnostics[0].message


def test_logo_linked_from_outside_the_folder_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(_png(10, 10))
    folder = tmp_path / "clinic"
    folder.mkdir()
    (folder / "logo.png").symlink_to(secret)
    (folder / "clinic.yaml").write_text(GOOD + "logo: logo.png\n", encoding="utf-8")
    _, diagnostics = check_profile(folder / "clinic.yaml")
    assert "links to a file outside the profile's folder" in diagnostics[0].message


def test_an_svg_that_slipped_through_still_loads_nothing(server: tuple[str, list[str]]) -> None:
    """Defence in depth: the renderer's fetcher refuses an SVG's external reference on its own."""
    from immunopipe.export.pdf import PdfRenderError, render_pdf
    from immunopipe.load import load_path
    from immunopipe.model import article_from_data
    from immunopipe.profile import Logo, Profile

    base, requests = server
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'
        f'<image xlink:href="{base}/pixel.png" width="5" height="5"/></svg>'
    ).encode()
    logo = Logo(name="logo.svg", media_type="image/svg+xml", data=svg)
    profile = Profile(organisation="Clinic", phone="12345", opening_hours="Always", logo=logo)
    with pytest.raises(PdfRenderError, match=r"refused to load http://127\.0\.0\.1"):
        render_pdf(article_from_data(load_path(SEED).data), profile=profile)
    assert requests == []


def test_a_logo_that_cannot_be_drawn_is_named_in_the_render_error() -> None:
    """A PNG that slipped past the check (no image data) fails the render naming the logo."""
    from immunopipe.export.pdf import PdfRenderError, render_pdf
    from immunopipe.load import load_path
    from immunopipe.model import article_from_data
    from immunopipe.profile import Logo, Profile

    png = _png(4, 4)
    without_pixels = png[:33] + png[png.index(b"IEND") - 4 :]
    logo = Logo(name="logo.png", media_type="image/png", data=without_pixels)
    profile = Profile(organisation="Clinic", phone="12345", opening_hours="Always", logo=logo)
    with pytest.raises(PdfRenderError, match=r"the clinic logo logo\.png cannot be drawn"):
        render_pdf(article_from_data(load_path(SEED).data), profile=profile)


def test_duplicate_keys_and_yaml_errors_are_located(tmp_path: Path) -> None:
    (tmp_path / "clinic.yaml").write_text(GOOD + "phone: '999'\n", encoding="utf-8")
    _, diagnostics = check_profile(tmp_path / "clinic.yaml")
    assert [(d.line, d.column, d.rule) for d in diagnostics] == [(4, 1, "duplicate-key")]
    (tmp_path / "clinic.yaml").write_text("organisation: [\n", encoding="utf-8")
    _, diagnostics = check_profile(tmp_path / "clinic.yaml")
    assert [d.rule for d in diagnostics] == ["yaml-syntax"]


def test_missing_profile_file_is_a_usage_error(tmp_path: Path) -> None:
    project = _project(tmp_path, GOOD)
    result = _cli("export", "--to", "pdf", "--profile", "nowhere.yaml", cwd=project)
    assert result.returncode == 2
    assert "no such clinic profile: nowhere.yaml" in result.stderr


def test_configured_profile_that_is_a_folder_is_called_a_folder(tmp_path: Path) -> None:
    project = _project(tmp_path, GOOD)
    (project / "profiles").mkdir()
    (project / "pyproject.toml").write_text('[tool.immunopipe]\nprofile = "profiles"\n', encoding="utf-8")
    result = _cli("validate", cwd=project)
    assert result.returncode == 2
    assert "the clinic profile profiles is a folder" in result.stderr


def test_json_report_names_the_profile(tmp_path: Path) -> None:
    import json

    project = _project(tmp_path, GOOD + "fax: 1\n")
    result = _cli("validate", "--profile", "clinic.yaml", "--format", "json", cwd=project)
    report = json.loads(result.stdout)
    assert result.returncode == 1 and report["valid"] is False
    assert [(d["path"], d["line"], d["rule"]) for d in report["diagnostics"] if d["path"] == "clinic.yaml"] == [
        ("clinic.yaml", 4, "schema-unknown-key")
    ]


def test_profile_is_part_of_the_render_cache_key() -> None:
    from immunopipe.export.pdf_pool import render_fingerprint
    from immunopipe.profile import Logo
    from immunopipe.validate.profile import load_profile

    profile = load_profile(EXAMPLE_PROFILE)
    other_logo = Logo(name="riverside-logo.svg", media_type="image/svg+xml", data=profile.logo.data + b" ")  # type: ignore[union-attr]
    fingerprints = {
        render_fingerprint("a4", False),
        render_fingerprint("a4", False, profile),
        render_fingerprint("a4", False, dataclasses.replace(profile, phone="+44 20 7946 0001")),
        render_fingerprint("a4", False, dataclasses.replace(profile, logo=other_logo)),
    }
    assert len(fingerprints) == 4


def test_profile_handouts_are_the_same_in_a_pool() -> None:
    from immunopipe.export.pdf_pool import iter_pdfs
    from immunopipe.load import load_path
    from immunopipe.model import article_from_data
    from immunopipe.validate.profile import load_profile

    seed = article_from_data(load_path(SEED).data)
    other = dataclasses.replace(seed, id="other-article")
    profile = load_profile(EXAMPLE_PROFILE)
    alone = list(iter_pdfs([seed, other], profile=profile, jobs=1))
    pooled = list(iter_pdfs([seed, other], profile=profile, jobs=2))
    assert alone == pooled and alone[0] != alone[1]  # each with its own online address
