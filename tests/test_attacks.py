"""Attacks on the promises of the README and docs/, run through the installed command line.

Every case comes from what the user documentation promises (README.md, docs/cli.md,
docs/reliability.md, docs/rules.md). Each test builds its own content repository under
tmp_path, runs the installed `immunopipe` in a subprocess and checks the documented outcome:
the exit code (0 valid/exported, 1 content invalid, 2 usage or environment problem), one
`Error:` line and never a traceback, and the user's files byte for byte.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from cli_support import IMMUNOPIPE, SEED, SEED_ID, run, seeded_repo

# --------------------------------------------------------------------------- helpers


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def checksums(folder: Path) -> dict[str, str]:
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def assert_clean_error(result: subprocess.CompletedProcess[str], code: int = 2) -> None:
    """The documented failure: the exit code, an `Error:` line, never a traceback."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-2000:]
    assert result.returncode == code, (result.returncode, result.stderr[-1500:])
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr[-1500:]


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-2000:]


# ============================================================================ broken promises
# Each of these fails today: the docs promise the asserted behaviour.


def test_nul_byte_in_configured_content_folder_is_exit_2_not_a_traceback(tmp_path: Path) -> None:
    # README: values of the wrong kind in [tool.immunopipe] "stop the run with exit code 2 and
    # say what to fix"; reliability.md: never a traceback.
    root = seeded_repo(tmp_path)
    (root / "pyproject.toml").write_text('[tool.immunopipe]\ncontent = "content\\u0000x"\n')
    assert_clean_error(run(root, "validate"))


def test_nul_byte_in_configured_out_folder_is_exit_2_not_a_traceback(tmp_path: Path) -> None:
    root = seeded_repo(tmp_path)
    (root / "pyproject.toml").write_text('[tool.immunopipe]\nout = "exports\\u0000"\n')
    assert_clean_error(run(root, "export", "--to", "json"))


def test_review_of_an_overlong_id_is_exit_2_not_a_traceback(tmp_path: Path) -> None:
    # `review` documents exit 2 for usage problems; an unknown id of 300 characters
    # currently crashes with OSError: File name too long.
    root = seeded_repo(tmp_path)
    assert_clean_error(run(root, "review", "a" * 300))


def test_review_approve_of_an_id_leading_out_of_content_is_exit_2_not_a_traceback(
    tmp_path: Path,
) -> None:
    # An id is a slug; `review ../outside --approve` currently reads ../outside.yaml and then
    # crashes with ValueError (relative_to). It must be a one-line usage error, writing nothing.
    root = seeded_repo(tmp_path)
    outside = root / "outside.yaml"
    text = seed_text().replace(f"id: {SEED_ID}", "id: outside", 1)
    outside.write_text(text.split("\nqueries:")[0] + "\n", encoding="utf-8")
    before = checksums(root)
    result = run(root, "review", "../outside", "--approve", "--reviewer", "Dr X", "--role", "GP")
    no_traceback(result)
    assert result.returncode in (1, 2), result.stderr[-1500:]
    assert checksums(root) == before


def test_baseline_command_rewrites_a_damaged_baseline_as_its_message_says(tmp_path: Path) -> None:
    # README: "Run `immunopipe baseline` again to rewrite it"; the error for a damaged
    # baseline says "write it again with: immunopipe baseline" -- but that very command
    # refuses with the same error, so the advised fix cannot work.
    root = seeded_repo(tmp_path)
    baseline = root / "immunopipe-baseline.json"
    baseline.write_text("{", encoding="utf-8")
    validate = run(root, "validate")
    assert_clean_error(validate)
    assert "immunopipe baseline" in validate.stderr
    rewrite = run(root, "baseline")
    no_traceback(rewrite)
    assert rewrite.returncode == 0, rewrite.stderr[-1000:]
    assert json.loads(baseline.read_text(encoding="utf-8"))["version"] == 1


def test_ignore_comment_on_the_last_line_that_ignores_nothing_warns(tmp_path: Path) -> None:
    # README: on a line of its own an ignore comment applies to the next line that is not blank
    # or a comment; "A comment that ignores nothing ... warns `suppression-unused`".
    # At the end of the file there is no next line: it ignores nothing, yet nothing is said.
    text = seed_text().rstrip("\n") + "\n# immunopipe: ignore[author-unknown] no next line\n"
    root = seeded_repo(tmp_path, text)
    result = run(root, "validate", "--no-cache", "--format", "json")
    no_traceback(result)
    report = json.loads(result.stdout)
    rules = [d["rule"] for d in report["diagnostics"]]
    assert "author-unknown" in rules  # not suppressed: the comment is not on/above its line
    assert "suppression-unused" in rules


def test_xlsx_date_before_1900_is_not_an_error_cell(tmp_path: Path) -> None:
    # README (xlsx): "known dates are dates (shown yyyy-mm-dd)". 0001-01-01 passes validation
    # and the CSV keeps it, but the workbook gets a negative date serial: '#VALUE!'/#### in Excel.
    openpyxl = pytest.importorskip("openpyxl")
    text = seed_text().replace("published: unknown", "published: 0001-01-01", 1)
    text = text.replace("last_reviewed: unknown", "last_reviewed: 0001-01-02", 1)
    root = seeded_repo(tmp_path, text)
    result = run(root, "export", "--to", "xlsx", "--to", "csv", "--no-cache")
    no_traceback(result)
    assert result.returncode == 0, result.stderr[-1000:]
    assert "0001-01-01" in (root / "exports/csv/articles.csv").read_text(encoding="utf-8-sig")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sheet = openpyxl.load_workbook(root / "exports/xlsx/articles.xlsx")["articles"]
    header = [cell.value for cell in sheet[1]]
    value = sheet.cell(2, header.index("published") + 1).value
    assert value in (
        "0001-01-01",
        datetime.date(1, 1, 1),
        datetime.datetime(1, 1, 1),
    ), value


def _mount_tmpfs(path: Path, size: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    return done.returncode == 0


def test_disk_full_leaves_no_temporary_files(tmp_path: Path) -> None:
    # README: "temporary files are removed on any error" and an output folder with the disk
    # full is reported in one line with exit 2; the earlier export stays untouched.
    # Today 13 empty `.<table>.csv.<random>.immunopipe-tmp` files stay behind in csv/.
    root = seeded_repo(tmp_path)
    out = root / "full"
    if not _mount_tmpfs(out, "150k"):
        pytest.skip("needs root and tmpfs to fill a disk")
    try:
        first = run(root, "export", "--to", "json", "--to", "csv", "--out", "full", "--no-cache")
        assert first.returncode == 0, first.stderr[-1000:]
        before = checksums(out)
        article = root / "content" / f"{SEED_ID}.yaml"
        article.write_text(
            seed_text().replace(
                "title: What is immune system medicine used for?",
                'title: "A rather longer title, to change every table here"',
                1,
            ),
            encoding="utf-8",
        )
        descriptor = os.open(out / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
        try:  # fill the disk to the last block
            while os.write(descriptor, b"\0" * 1024):
                pass
        except OSError:
            pass
        finally:
            os.close(descriptor)
        before["filler"] = hashlib.sha256((out / "filler").read_bytes()).hexdigest()
        second = run(root, "export", "--to", "json", "--to", "csv", "--out", "full", "--no-cache")
        assert_clean_error(second)
        leftovers = sorted(p.name for p in out.rglob("*.immunopipe-tmp"))
        assert leftovers == []
        assert checksums(out) == before
    finally:
        subprocess.run(["umount", str(out)], capture_output=True)


def test_sigint_mid_export_does_not_exit_as_content_invalid(tmp_path: Path) -> None:
    # Exit codes: 1 means "content invalid". Interrupting an export of valid content with
    # Ctrl-C currently prints "Aborted!" and exits 1, which a CI script reads as bad content.
    root = seeded_repo(tmp_path)
    text = seed_text()
    (root / "content" / f"{SEED_ID}.yaml").unlink()
    for number in range(10):
        (root / "content" / f"art-{number}.yaml").write_text(
            text.replace(f"id: {SEED_ID}", f"id: art-{number}", 1), encoding="utf-8"
        )
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    process = subprocess.Popen(
        [str(IMMUNOPIPE), "export", "--to", "pdf", "--to", "json", "--no-cache", "--jobs", "1"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=40)
    if process.returncode == 0:
        pytest.skip("the export finished before the signal arrived")
    assert "Traceback" not in stdout + stderr, stderr[-2000:]
    assert process.returncode != 1, stderr[-500:]
    assert process.returncode in (2, 130, -signal.SIGINT), process.returncode
    assert list(root.rglob("*.immunopipe-tmp")) == []


def test_a_users_file_with_a_temporary_looking_name_is_not_deleted(tmp_path: Path) -> None:
    # README: an export replaces or removes a file only if its manifest lists it ("Only its own
    # files"; "Files with other names ... are never touched"). A user's file in docs/json/ whose
    # name merely matches the temporary-file pattern is deleted by the next export.
    # (The README also says leftover temporary files are removed: the two promises collide for
    # files immunopipe did not create.)
    root = seeded_repo(tmp_path)
    (root / "docs" / "json").mkdir(parents=True)
    mine = root / "docs" / "json" / ".notes.txt.draft1.immunopipe-tmp"
    mine.write_text("my own notes\n", encoding="utf-8")
    result = run(root, "export", "--to", "json", "--out", "docs", "--no-cache")
    assert result.returncode == 0, result.stderr[-1000:]
    assert mine.exists(), "the user's file was deleted"


def test_stdout_on_a_full_disk_is_exit_2_not_a_traceback(tmp_path: Path) -> None:
    # README: exit 2 is an environment problem; reliability.md: never a traceback.
    # `immunopipe validate > /dev/full` (or a CI log on a full disk) crashes with OSError, exit 1,
    # which also reads as "content invalid".
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    root = seeded_repo(tmp_path)
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [str(IMMUNOPIPE), "validate", "--no-cache"],
            cwd=root,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=50,
        )
    assert "Traceback" not in result.stderr, result.stderr[-1500:]
    assert result.returncode == 2, result.returncode


def test_schema_write_failure_names_what_failed_not_none(tmp_path: Path) -> None:
    # One-line messages must name the file or folder; `immunopipe schema > /dev/full` says
    # "cannot write the schemas to None".
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [str(IMMUNOPIPE), "schema"], cwd=tmp_path, stdout=full, stderr=subprocess.PIPE, text=True, timeout=50
        )
    assert result.returncode == 2
    assert "None" not in result.stderr, result.stderr


def test_review_approve_never_writes_an_approval_that_makes_the_article_invalid(
    tmp_path: Path,
) -> None:
    # README: --approve records the approval "(exit 1, writing nothing, while a query is open or
    # an error remains)". A role containing an escape character is written into the article,
    # which then fails validation (text-invisible-character, an error), so export stops.
    text = seed_text().split("\nqueries:")[0] + "\n"  # no open queries
    root = seeded_repo(tmp_path, text)
    assert run(root, "validate", "--no-cache").returncode == 0
    before = checksums(root / "content")
    result = run(root, "review", SEED_ID, "--approve", "--reviewer", "Dr X", "--role", "GP\x1b[2J")
    no_traceback(result)
    if result.returncode == 0:
        after = run(root, "validate", "--no-cache")
        assert after.returncode == 0, [line for line in after.stdout.splitlines() if "error" in line]
    else:
        assert result.returncode in (1, 2)
        assert checksums(root / "content") == before


def test_a_nel_character_in_text_is_neither_dropped_silently_nor_accepted_unseen(
    tmp_path: Path,
) -> None:
    # README: "what you wrote is what gets checked"; NEL (U+0085) is not a line end for
    # immunopipe. U+2028 in the same place is an error (text-invisible-character), but a NEL in a
    # plain title passes with no diagnostic and vanishes from the export: the JSON title reads
    # "What is ..." while the file says "What <NEL> is ...".
    text = seed_text().replace("title: What is", "title: What \x85 is", 1)
    root = seeded_repo(tmp_path, text)
    result = run(root, "export", "--to", "json", "--no-cache", "--format", "json")
    no_traceback(result)
    if result.returncode == 1:  # refused with a located diagnostic: fine
        report = json.loads(result.stdout)
        assert any(d["line"] == 3 for d in report["diagnostics"] if d["severity"] == "error")
        return
    assert result.returncode == 0, result.stderr[-1000:]
    document = json.loads((root / "exports/json" / f"{SEED_ID}.json").read_text(encoding="utf-8"))
    assert "\x85" in document["article"]["title"], document["article"]["title"]


def test_review_approve_with_a_folder_at_the_snapshot_path_is_exit_2_not_a_traceback(
    tmp_path: Path,
) -> None:
    # "a file in the way" is an environment problem: one line, exit 2, never a traceback; the
    # approval must not be half recorded.
    text = seed_text().split("\nqueries:")[0] + "\n"
    root = seeded_repo(tmp_path, text)
    (root / "content" / "reviews" / f"{SEED_ID}.json").mkdir(parents=True)
    before = checksums(root / "content")
    result = run(root, "review", SEED_ID, "--approve", "--reviewer", "Dr X", "--role", "GP")
    assert_clean_error(result)
    assert checksums(root / "content") == before
    assert list(root.rglob("*.immunopipe-tmp")) == []


# ============================================================================ regression guards
# Cheap cases that hold today and test a real promise.


@pytest.mark.parametrize(
    "setting",
    [
        "out = 5",
        'paper = "a5"',
        "bogus = 1",
        "readability.max-grade = nan",
        "readability.max-grade = true",
        'readability.max-grade = "8"',
        "rules = 3",
        '[tool.immunopipe.rules]\nnot-a-rule = "off"',
        '[tool.immunopipe.rules]\nauthor-unknown = "fatal"',
        '[tool.immunopipe.rules]\nyaml-syntax = "off"',
    ],
)
def test_guard_bad_configuration_is_exit_2_in_one_line(tmp_path: Path, setting: str) -> None:
    root = seeded_repo(tmp_path)
    (root / "pyproject.toml").write_text("[tool.immunopipe]\n" + setting + "\n", encoding="utf-8")
    assert_clean_error(run(root, "validate"))


def test_guard_pyproject_that_is_not_toml_is_exit_2(tmp_path: Path) -> None:
    root = seeded_repo(tmp_path)
    (root / "pyproject.toml").write_bytes(b"\xff\xfe[tool]\n")
    assert_clean_error(run(root, "validate"))


def test_guard_out_pointing_at_a_file_is_exit_2_and_the_file_is_kept(tmp_path: Path) -> None:
    root = seeded_repo(tmp_path)
    target = root / "report.txt"
    target.write_text("mine\n", encoding="utf-8")
    assert_clean_error(run(root, "export", "--to", "json", "--out", "report.txt"))
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert_clean_error(run(root, "export", "--to", "json", "--out", "report.txt/sub"))


def test_guard_users_files_beside_exports_survive_export_and_prune(tmp_path: Path) -> None:
    root = seeded_repo(tmp_path)
    docs = root / "docs"
    for name, body in {
        "json/settings.json": '{"a": 1}\n',
        "csv/notes.csv": "x,y\r\n",
        "xlsx/mine.xlsx": "not a workbook",
        "json/sub/deep.json": "{}",
        ".immunopipe.lock": "a lock file I wrote",
        "index.html": "<p>home</p>",
    }.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(body, encoding="utf-8")
    before = checksums(docs)
    for args in (["--to", "json", "--to", "csv", "--to", "xlsx"], ["--to", "json", "--prune"]):
        result = run(root, "export", "--out", "docs", "--no-cache", *args)
        assert result.returncode == 0, result.stderr[-1000:]
    after = checksums(docs)
    assert {name: after.get(name) for name in before} == before


def test_guard_a_foreign_file_where_an_export_goes_is_exit_2_and_nothing_changes(
    tmp_path: Path,
) -> None:
    root = seeded_repo(tmp_path)
    (root / "exports" / "csv").mkdir(parents=True)
    (root / "exports" / "csv" / "articles.csv").write_text("mine\n", encoding="utf-8")
    before = checksums(root)
    result = run(root, "export", "--to", "json", "--to", "csv", "--no-cache")
    assert_clean_error(result)
    assert "articles.csv" in result.stderr
    # The lock file is documented ("the empty file may stay"); nothing else may appear.
    after = {
        k: v for k, v in checksums(root).items() if ".immunopipe-cache" not in k and k != "exports/.immunopipe.lock"
    }
    assert after == {k: v for k, v in before.items() if ".immunopipe-cache" not in k}


@pytest.mark.parametrize("target", ["json/immune-system-medicine.json", "csv/articles.csv", "xlsx/articles.xlsx"])
def test_guard_a_hand_edited_export_is_not_replaced(tmp_path: Path, target: str) -> None:
    root = seeded_repo(tmp_path)
    assert run(root, "export", "--to", "json", "--to", "csv", "--to", "xlsx").returncode == 0
    edited = root / "exports" / target
    edited.write_bytes(edited.read_bytes() + b"x")
    (root / "content" / f"{SEED_ID}.yaml").write_text(
        seed_text().replace("title: What is immune system medicine used for?", "title: Another title", 1),
        encoding="utf-8",
    )
    before = checksums(root / "exports")
    result = run(root, "export", "--to", "json", "--to", "csv", "--to", "xlsx")
    assert_clean_error(result)
    assert "--overwrite-edited" in result.stderr
    assert checksums(root / "exports") == before


@pytest.mark.parametrize(
    "manifest",
    [
        "",
        "null",
        "[]",
        '{"files": 3}',
        '{"kind": "immunopipe export manifest", "version": 1, "files": {"../../victim.txt": ["0"]}}',
    ],
)
def test_guard_a_damaged_manifest_stops_before_anything_changes(tmp_path: Path, manifest: str) -> None:
    root = seeded_repo(tmp_path)
    assert run(root, "export", "--to", "json").returncode == 0
    (root / "victim.txt").write_text("keep\n", encoding="utf-8")
    (root / "exports/json/.immunopipe-manifest.json").write_text(manifest, encoding="utf-8")
    before = checksums(root)
    assert_clean_error(run(root, "export", "--to", "json", "--prune"))
    assert checksums(root) == before


def test_guard_a_manifest_naming_a_file_outside_the_folder_cannot_remove_it(
    tmp_path: Path,
) -> None:
    root = seeded_repo(tmp_path)
    assert run(root, "export", "--to", "json").returncode == 0
    victim = root / "victim.txt"
    victim.write_text("keep\n", encoding="utf-8")
    manifest_path = root / "exports/json/.immunopipe-manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"]["../../victim.txt"] = [hashlib.sha256(b"keep\n").hexdigest()]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert_clean_error(run(root, "export", "--to", "json", "--prune"))
    assert victim.read_text(encoding="utf-8") == "keep\n"


def test_guard_invalid_content_exits_1_and_keeps_the_earlier_export(tmp_path: Path) -> None:
    root = seeded_repo(tmp_path)
    assert run(root, "export", "--to", "json", "--to", "csv").returncode == 0
    before = checksums(root / "exports")
    (root / "content" / f"{SEED_ID}.yaml").write_text(
        seed_text().replace("language: en", "language: en\nlanguage: fr", 1), encoding="utf-8"
    )
    result = run(root, "export", "--to", "json", "--to", "csv")
    no_traceback(result)
    assert result.returncode == 1
    assert f"content/{SEED_ID}.yaml:6:1: error:" in result.stdout
    assert "[duplicate-key]" in result.stdout
    assert checksums(root / "exports") == before


def test_guard_bom_and_crlf_keep_diagnostics_on_the_right_line(tmp_path: Path) -> None:
    text = seed_text().replace("language: en", "language: en\nlanguage: fr", 1)
    root = seeded_repo(tmp_path)
    (root / "content" / f"{SEED_ID}.yaml").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    result = run(root, "validate", "--no-cache")
    no_traceback(result)
    assert result.returncode == 1
    assert f"content/{SEED_ID}.yaml:6:1: error: duplicate key 'language'" in result.stdout


def test_guard_csv_neutralises_formulas_and_xlsx_holds_no_formula(tmp_path: Path) -> None:
    import zipfile

    payload = '=HYPERLINK("http://x","y")'
    text = seed_text().replace("title: What is immune system medicine used for?", "title: " + json.dumps(payload), 1)
    root = seeded_repo(tmp_path, text)
    result = run(root, "export", "--to", "csv", "--to", "xlsx", "--no-cache")
    assert result.returncode == 0, result.stderr[-1000:]
    csv_text = (root / "exports/csv/articles.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    assert ',"=HYPERLINK' not in csv_text and ",=HYPERLINK" not in csv_text
    with zipfile.ZipFile(root / "exports/xlsx/articles.xlsx") as workbook:
        for name in workbook.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in workbook.read(name), name


def test_guard_xlsx_keeps_text_that_looks_like_an_xml_escape(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    title = "Lupus _x0041_ medicine"
    text = seed_text().replace("title: What is immune system medicine used for?", "title: " + json.dumps(title), 1)
    root = seeded_repo(tmp_path, text)
    assert run(root, "export", "--to", "xlsx", "--no-cache").returncode == 0
    sheet = openpyxl.load_workbook(root / "exports/xlsx/articles.xlsx")["articles"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(2, header.index("title") + 1).value == title


def test_guard_a_format_folder_linking_out_of_out_is_refused(tmp_path: Path) -> None:
    root = seeded_repo(tmp_path)
    (root / "mine").mkdir()
    (root / "mine" / "a.json").write_text("keep", encoding="utf-8")
    (root / "exports").mkdir()
    (root / "exports" / "json").symlink_to("../mine")
    assert_clean_error(run(root, "export", "--to", "json"))
    assert sorted(p.name for p in (root / "mine").iterdir()) == ["a.json"]


@pytest.mark.parametrize("kind", ["fifo", "devzero", "devnull"])
def test_guard_special_files_as_paths_are_exit_2_without_hanging(tmp_path: Path, kind: str) -> None:
    root = seeded_repo(tmp_path)
    if kind == "fifo":
        os.mkfifo(root / "f.yaml")
        path = "f.yaml"
    else:
        path = "/dev/zero" if kind == "devzero" else "/dev/null"
    assert_clean_error(run(root, "validate", path, timeout=20))


def test_guard_a_fifo_in_content_stops_the_search(tmp_path: Path) -> None:
    root = seeded_repo(tmp_path)
    os.mkfifo(root / "content" / "g.yaml")
    assert_clean_error(run(root, "validate", timeout=20))


@pytest.mark.parametrize("bad_id", ["../evil", "-x", "UPPER", "index", "con", "a b", "ünï", "a" * 300])
def test_guard_new_refuses_bad_ids(tmp_path: Path, bad_id: str) -> None:
    root = seeded_repo(tmp_path)
    before = checksums(root)
    assert_clean_error(run(root, "new", "--", bad_id))
    assert checksums(root) == before


def test_guard_new_never_writes_through_an_existing_link(tmp_path: Path) -> None:
    root = seeded_repo(tmp_path)
    (root / "content" / "dang.yaml").symlink_to(root / "target.txt")
    assert_clean_error(run(root, "new", "dang"))
    assert not (root / "target.txt").exists()


@pytest.mark.parametrize("bad_id", ["nope", "../etc/passwd", "UPPER", ""])
def test_guard_review_of_unknown_ids_is_exit_2(tmp_path: Path, bad_id: str) -> None:
    assert_clean_error(run(seeded_repo(tmp_path), "review", "--", bad_id))


def test_guard_review_approve_without_reviewer_is_exit_2_and_writes_nothing(
    tmp_path: Path,
) -> None:
    root = seeded_repo(tmp_path)
    before = checksums(root / "content")
    for args in (["--approve"], ["--approve", "--reviewer", "", "--role", ""], ["--reviewer", "X", "--role", "Y"]):
        assert_clean_error(run(root, "review", SEED_ID, *args))
    assert checksums(root / "content") == before


@pytest.mark.parametrize(
    "baseline",
    ["", "{", "null", "[]", '{"version": "1", "warnings": []}', '{"version": 1, "warnings": 3}'],
)
def test_guard_a_damaged_baseline_is_exit_2_in_one_line(tmp_path: Path, baseline: str) -> None:
    root = seeded_repo(tmp_path)
    (root / "immunopipe-baseline.json").write_text(baseline, encoding="utf-8")
    assert_clean_error(run(root, "validate"))


def test_guard_ignore_comment_for_a_rule_that_cannot_be_ignored_warns(tmp_path: Path) -> None:
    text = seed_text().replace("  author: unknown", "  author: unknown  # immunopipe: ignore[yaml-syntax] x", 1)
    result = run(seeded_repo(tmp_path, text), "validate", "--no-cache", "--format", "json")
    assert result.returncode == 0
    rules = [d["rule"] for d in json.loads(result.stdout)["diagnostics"]]
    assert "suppression-unused" in rules and "author-unknown" in rules


def test_guard_ignore_comment_without_a_reason_still_applies_and_warns(tmp_path: Path) -> None:
    text = seed_text().replace("  author: unknown", "  author: unknown  # immunopipe: ignore[author-unknown]", 1)
    result = run(seeded_repo(tmp_path, text), "validate", "--no-cache", "--format", "json")
    rules = [d["rule"] for d in json.loads(result.stdout)["diagnostics"]]
    assert "suppression-reason" in rules and "author-unknown" not in rules


def test_guard_two_exports_at_once_leave_one_complete_export(tmp_path: Path) -> None:
    root = seeded_repo(tmp_path)
    args = [str(IMMUNOPIPE), "export", "--to", "json", "--to", "csv", "--no-cache", "-q"]
    first = subprocess.Popen(args, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    second = subprocess.Popen(args, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    outputs = [first.communicate(timeout=50), second.communicate(timeout=50)]
    assert (first.returncode, second.returncode) == (0, 0), outputs
    assert list(root.rglob("*.immunopipe-tmp")) == []
    index = json.loads((root / "exports/json/index.json").read_text(encoding="utf-8"))
    for entry in index["articles"]:
        data = (root / "exports/json" / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]


def test_guard_schema_command_rejects_unknown_names_and_files_as_folders(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    assert_clean_error(run(tmp_path, "schema", "bogus"))
    assert_clean_error(run(tmp_path, "schema", "--export", "afile"))
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "x"


def test_guard_exports_get_the_usual_permissions_and_unchanged_files_keep_their_dates(
    tmp_path: Path,
) -> None:
    root = seeded_repo(tmp_path)
    assert run(root, "export", "--to", "json", "--to", "csv").returncode == 0
    index = root / "exports/json/index.json"
    mask = os.umask(0)
    os.umask(mask)
    assert index.stat().st_mode & 0o777 == 0o666 & ~mask
    stamp = index.stat().st_mtime_ns
    time.sleep(0.05)
    again = run(root, "export", "--to", "json", "--to", "csv")
    assert again.returncode == 0
    assert "0 files written" in again.stderr
    assert index.stat().st_mtime_ns == stamp


def test_guard_prune_with_a_single_file_is_refused(tmp_path: Path) -> None:
    root = seeded_repo(tmp_path)
    assert_clean_error(run(root, "export", "--to", "json", "--prune", f"content/{SEED_ID}.yaml"))
    assert not (root / "exports" / "json").exists()


def test_guard_a_fixed_baseline_warning_is_reported_at_its_line_of_the_baseline(
    tmp_path: Path,
) -> None:
    root = seeded_repo(tmp_path)
    assert run(root, "baseline").returncode == 0
    article = root / "content" / f"{SEED_ID}.yaml"
    article.write_text(
        seed_text().replace("  author: unknown", "  author:\n    name: Jane Roe\n    credentials: RN", 1),
        encoding="utf-8",
    )
    result = run(root, "validate", "--no-cache", "--max-warnings", "0")
    assert result.returncode == 1
    stale = [line for line in result.stdout.splitlines() if line.endswith("[baseline-stale]")]
    assert len(stale) == 1 and stale[0].startswith("immunopipe-baseline.json:"), stale


def test_guard_json_summary_is_one_line_on_stderr_even_with_quiet(tmp_path: Path) -> None:
    root = seeded_repo(tmp_path)
    result = run(root, "export", "--to", "json", "--format", "json", "-q")
    assert result.returncode == 0
    json.loads(result.stdout)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    summary = json.loads(lines[0])["export"]
    assert summary["articles"] == 1 and "json/index.json" in summary["written"]
