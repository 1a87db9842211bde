"""Clinic profiles: strict loading, located diagnostics, a checked logo, and the QR code that scans."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from handout_variants import EXAMPLE_PROFILE, REPO, SEED, handout
from pdf_support import RequestLog

from immunopipe.profile import MAX_LOGO_BYTES, check_profile

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
        (GOOD.replace('"+44 20 7946 0000"', '"<img src=x onerror=alert(1)>"'), {}, "clinic.yaml:2:8: error:"),
        (GOOD + "fax: 123\n", {}, "clinic.yaml:4:1: error: unknown key 'fax'"),
        (GOOD + "logo: ../secret.png\n", {}, "clinic.yaml:4:7: error:"),
        (GOOD + "logo: bad.png\n", {"bad.png": b"GIF89a not a png"}, "is not a PNG image"),
        ("organisation: X\nphone: '12345'\n", {}, "give 'opening_hours' or 'questions'"),
        (GOOD + "online_version: https://clinic.example/leaflets\n", {}, "clinic.yaml:4:17: error:"),
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
    for data in (project / "exports").rglob("*"):
        if data.suffix in (".json", ".csv"):
            assert "Riverside" not in data.read_text(encoding="utf-8-sig")


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
