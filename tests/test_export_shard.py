"""Sharded exports: `export --shard K/N` then `merge` gives the bytes of one export, or a clear refusal."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from immunopipe.cli import main
from immunopipe.export.shard import DESCRIPTOR_LAYOUT, DESCRIPTOR_NAME, ShardSpec
from immunopipe.files.manifest import MANIFEST_NAME
from immunopipe.files.write import LOCK_NAME

SEED_ID = "immune-system-medicine"
JSON_AND_CSV = ("--to", "json", "--to", "csv")
#: Article ids of the test library; file names run in another order, so shards must reorder rows.
IDS = ("asthma-care", "zinc-facts", "lupus-basics", "hay-fever", "eczema-help", "gout-guide", "psoriasis")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path, the manifests included, the lock file aside."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != LOCK_NAME
    }


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def variant(seed_text: str, article_id: str, number: int) -> str:
    """The seed under another id and title, with text of its own."""
    text = seed_text.replace(f"\nid: {SEED_ID}\n", f"\nid: {article_id}\n")
    text = text.replace(
        "title: What is immune system medicine used for?",
        f"title: What is immune system medicine used for? ({article_id})",
    )
    return text.replace("often taken for life", f"often taken for life{', and checked' * number}")


@pytest.fixture
def library(tmp_path: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder whose content/ holds several valid articles, named out of id order."""
    content = tmp_path / "content"
    content.mkdir()
    for number, article_id in enumerate(IDS):
        (content / f"{number:02d}-{article_id[::-1]}.yaml").write_text(variant(seed_text, article_id, number), "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def export_shards(count: int, *options: str) -> list[str]:
    folders = []
    for number in range(1, count + 1):
        folder = f"shards/{number}"
        result = run("export", *options, "--shard", f"{number}/{count}", "--out", folder, "-q")
        assert result.exit_code == 0, result.output
        folders.append(folder)
    return folders


@pytest.mark.parametrize(
    "options",
    [JSON_AND_CSV, (*JSON_AND_CSV, "--no-csv-bom"), ("--to", "csv"), ("--to", "xlsx"), (*JSON_AND_CSV, "--to", "xlsx")],
)
@pytest.mark.parametrize("count", [1, 3, 4])
def test_merged_shards_are_byte_identical_to_one_export(library: Path, count: int, options: tuple[str, ...]) -> None:
    assert run("export", *options, "--out", "single", "-q").exit_code == 0
    folders = export_shards(count, *options)
    result = run("merge", *reversed(folders), "--out", "merged")
    assert result.exit_code == 0, result.output
    single = snapshot(library / "single")
    assert snapshot(library / "merged") == single
    # Each folder's ownership manifest is among the identical files, so a later export or merge
    # into either folder treats them alike.
    folders_written = {name.split("/")[0] for name in single}
    assert {f"{folder}/{MANIFEST_NAME}" for folder in folders_written} <= set(single)
    assert len(single) > len(folders_written)


def test_a_shard_renders_its_share_in_the_validation_and_loads_no_article_again(
    library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import immunopipe.validate.runner

    loaded: list[str] = []
    real_load_validated = immunopipe.validate.runner.load_validated

    def counting(path: Path, digest: str) -> Any:
        loaded.append(path.name)
        return real_load_validated(path, digest)

    monkeypatch.setattr(immunopipe.validate.runner, "load_validated", counting)
    folders = export_shards(2, *JSON_AND_CSV, "--no-cache")
    assert loaded == []
    assert run("merge", *folders, "--out", "merged").exit_code == 0
    assert run("export", *JSON_AND_CSV, "--no-cache", "--out", "single", "-q").exit_code == 0
    assert snapshot(library / "merged") == snapshot(library / "single")


def test_an_export_after_a_merge_finds_every_file_its_own(library: Path) -> None:
    """The merged manifests are the export's own: exporting over a merge changes nothing and refuses nothing."""
    result = run("merge", *export_shards(3, *JSON_AND_CSV, "--to", "xlsx"), "--out", "merged")
    assert result.exit_code == 0, result.output
    merged = snapshot(library / "merged")
    again = run("export", *JSON_AND_CSV, "--to", "xlsx", "--out", "merged")
    assert again.exit_code == 0, again.output
    assert "0 files written" in again.output
    assert snapshot(library / "merged") == merged


def test_every_article_is_in_exactly_one_shard(library: Path) -> None:
    folders = export_shards(3, *JSON_AND_CSV)
    ids = [
        {entry["id"] for entry in json.loads((library / folder / DESCRIPTOR_NAME).read_bytes())["articles"]}
        for folder in folders
    ]
    assert sorted(article for shard in ids for article in shard) == sorted(IDS)
    for folder, shard_ids in zip(folders, ids, strict=True):
        index = json.loads((library / folder / "json" / "index.json").read_bytes())
        assert {entry["id"] for entry in index["articles"]} == shard_ids


def test_shards_are_chosen_by_content_digest() -> None:
    digests = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(200)]
    for count in (1, 2, 5):
        owners = [[ShardSpec(k, count).holds(digest) for k in range(1, count + 1)] for digest in digests]
        assert all(sum(flags) == 1 for flags in owners)
        assert [flags.index(True) for flags in owners] == [int(d, 16) % count for d in digests]


def test_articles_keep_their_shard_when_others_come_and_go(library: Path, seed_text: str) -> None:
    export_shards(3, *JSON_AND_CSV)
    before = {folder.name: snapshot(folder / "json") for folder in (library / "shards").iterdir()}
    (library / "content" / "09-new.yaml").write_text(variant(seed_text, "new-article", 9), "utf-8")
    next(iter((library / "content").glob("00-*.yaml"))).unlink()
    export_shards(3, *JSON_AND_CSV)
    for name, files in before.items():
        after = snapshot(library / "shards" / name / "json")
        kept = set(files) - {"index.json", "asthma-care.json"}
        assert kept <= set(after), f"shard {name} lost articles that did not change"
        assert set(after) - set(files) <= {"new-article.json"}


@pytest.mark.parametrize("spec", ["0/3", "4/3", "1/0", "two/4", "1-4", ""])
def test_a_bad_shard_spec_is_a_usage_error(library: Path, spec: str) -> None:
    result = run("export", "--shard", spec, "--out", "shard")
    assert result.exit_code == 2
    assert "--shard" in result.output
    assert not (library / "shard").exists()


def merge_refused(library: Path, *folders: str) -> str:
    """Merge ``folders`` into an earlier export, expect exit 2 and that export untouched; the message."""
    assert run("export", *JSON_AND_CSV, "--out", "merged", "-q").exit_code == 0
    earlier = snapshot(library / "merged")
    process = subprocess.run(
        [Path(sys.executable).parent / "immunopipe", "merge", *folders, "--out", "merged"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 2, process.stderr
    assert "Traceback" not in process.stderr
    assert snapshot(library / "merged") == earlier
    return process.stderr


def test_a_missing_shard_is_refused(library: Path) -> None:
    folders = export_shards(4, *JSON_AND_CSV)
    message = merge_refused(library, folders[0], folders[2])
    assert "Error: shards 2, 4 of 4 missing" in message


def test_a_duplicated_shard_is_refused(library: Path) -> None:
    folders = export_shards(3, *JSON_AND_CSV)
    shutil.copytree(library / folders[1], library / "copy")
    message = merge_refused(library, *folders, "copy")
    assert f"shard 2/3 is given twice: {folders[1]} and copy" in message


def test_shards_of_another_library_are_refused(library: Path) -> None:
    folders = export_shards(2, *JSON_AND_CSV)
    edited = library / "content" / "01-stcaf-cniz.yaml"
    edited.write_text(edited.read_text("utf-8").replace("often taken", "usually taken"), "utf-8")
    assert run("export", *JSON_AND_CSV, "--shard", "2/2", "--out", "shards/2", "-q").exit_code == 0
    assert "their library (content files) differ" in merge_refused(library, *folders)


@pytest.mark.parametrize(
    ("first", "second", "differ"),
    [
        (JSON_AND_CSV, ("--to", "json"), "formats"),
        (JSON_AND_CSV, (*JSON_AND_CSV, "--no-csv-bom"), "options"),
    ],
)
def test_shards_made_differently_are_refused(
    library: Path, first: tuple[str, ...], second: tuple[str, ...], differ: str
) -> None:
    assert run("export", *first, "--shard", "1/2", "--out", "shards/1", "-q").exit_code == 0
    assert run("export", *second, "--shard", "2/2", "--out", "shards/2", "-q").exit_code == 0
    assert f"their {differ}" in merge_refused(library, "shards/1", "shards/2")


def test_shards_of_another_count_are_refused(library: Path) -> None:
    export_shards(2, *JSON_AND_CSV)
    assert run("export", *JSON_AND_CSV, "--shard", "3/3", "--out", "three", "-q").exit_code == 0
    assert "their number of shards differ" in merge_refused(library, "shards/1", "shards/2", "three")


def test_a_folder_that_is_not_a_shard_is_refused(library: Path) -> None:
    folders = export_shards(2, *JSON_AND_CSV)
    assert run("export", *JSON_AND_CSV, "--out", "plain", "-q").exit_code == 0
    assert "plain is not a shard: it has no shard.json" in merge_refused(library, folders[0], "plain")
    assert "nowhere: no such folder" in merge_refused(library, folders[0], "nowhere")


def test_a_damaged_descriptor_is_refused(library: Path) -> None:
    folders = export_shards(2, *JSON_AND_CSV)
    descriptor = library / folders[1] / DESCRIPTOR_NAME
    descriptor.write_text(f'{{"layout": {DESCRIPTOR_LAYOUT}, "shard": 2}}', "utf-8")
    assert "is damaged" in merge_refused(library, *folders)
    descriptor.write_text("{", "utf-8")
    assert f"cannot read {folders[1]}/shard.json" in merge_refused(library, *folders)


def test_a_shard_changed_after_it_was_made_is_refused(library: Path) -> None:
    folders = export_shards(2, *JSON_AND_CSV)
    article = next((library / folders[0] / "json").glob("[!i]*.json"))
    article.write_bytes(article.read_bytes().replace(b"Lupus", b"Lupys", 1))
    assert f"{article.name} changed since its shard was made" in merge_refused(library, *folders)


def test_tables_are_merged_from_the_recorded_rows(library: Path) -> None:
    """A shard's CSV tables edited after it was made do not leak into the merge: rows come from shard.json."""
    assert run("export", *JSON_AND_CSV, "--out", "single", "-q").exit_code == 0
    folders = export_shards(2, *JSON_AND_CSV)
    table = library / folders[0] / "csv" / "conditions.csv"
    table.write_bytes(table.read_bytes().replace(b"Lupus", b"Lupys") + b"extra,row\r\n")
    assert run("merge", *folders, "--out", "merged").exit_code == 0
    assert snapshot(library / "merged") == snapshot(library / "single")


def test_damaged_rows_in_a_descriptor_are_refused(library: Path) -> None:
    folders = export_shards(2, *JSON_AND_CSV)
    path = library / folders[1] / DESCRIPTOR_NAME
    descriptor = json.loads(path.read_bytes())
    descriptor["articles"][0]["rows"][0] = [[{"not": "a cell"}]]
    path.write_text(json.dumps(descriptor), "utf-8")
    assert "is damaged: the rows of" in merge_refused(library, *folders)


def test_merging_into_a_shard_is_refused(library: Path) -> None:
    folders = export_shards(2, *JSON_AND_CSV)
    before = snapshot(library / folders[0])
    result = run("merge", *folders, "--out", folders[0])
    assert result.exit_code == 2
    assert "it is one of the shards" in result.output
    assert snapshot(library / folders[0]) == before


def test_merge_replaces_an_earlier_export_and_prunes_like_an_export(library: Path, seed_text: str) -> None:
    (library / "content" / "09-old.yaml").write_text(variant(seed_text, "old-article", 9), "utf-8")
    assert run("export", *JSON_AND_CSV, "--out", "merged", "-q").exit_code == 0
    (library / "content" / "09-old.yaml").unlink()
    assert run("export", *JSON_AND_CSV, "--out", "single", "-q").exit_code == 0
    folders = export_shards(2, *JSON_AND_CSV)
    kept = run("merge", *folders, "--out", "merged")
    assert kept.exit_code == 0, kept.output
    assert "kept 1 stale export of articles no longer exported" in kept.output
    assert (library / "merged" / "json" / "old-article.json").exists()
    result = run("merge", *folders, "--out", "merged", "--prune")
    assert result.exit_code == 0, result.output
    assert "removed stale export merged/json/old-article.json" in result.output
    assert snapshot(library / "merged") == snapshot(library / "single")


def test_merge_refuses_to_replace_a_file_edited_by_hand(library: Path) -> None:
    folders = export_shards(2, *JSON_AND_CSV)
    assert run("merge", *folders, "--out", "merged").exit_code == 0
    index = library / "merged" / "json" / "index.json"
    index.write_bytes(index.read_bytes() + b" ")
    edited = index.read_bytes()
    refused = run("merge", *folders, "--out", "merged")
    assert refused.exit_code == 2
    assert index.read_bytes() == edited
    assert run("merge", *folders, "--out", "merged", "--overwrite-edited").exit_code == 0
    assert index.read_bytes() != edited


def test_merged_handouts_are_the_handouts_of_one_export(
    tmp_path: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real WeasyPrint: two articles, two shards; the merged PDFs are the single export's bytes."""
    content = tmp_path / "content"
    content.mkdir()
    for number, article_id in enumerate(("b-article", "a-article")):
        (content / f"{number}.yaml").write_text(variant(seed_text, article_id, number), "utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("export", "--out", "single", "-q", "--no-cache").exit_code == 0
    folders = export_shards(2, "--no-cache")
    assert run("merge", *folders, "--out", "merged").exit_code == 0
    single = snapshot(tmp_path / "single")
    assert {"pdf/a-article.pdf", "pdf/b-article.pdf"} <= set(single)
    assert snapshot(tmp_path / "merged") == single
    # Merging copies the handouts: it works where WeasyPrint cannot even be imported.
    no_weasyprint = (
        "import sys\n"
        "class Refuse:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'weasyprint':\n"
        "            raise ImportError('no WeasyPrint here')\n"
        "sys.meta_path.insert(0, Refuse())\n"
        "from immunopipe.cli import main\n"
        "main(['merge', *sys.argv[1:]])\n"
    )
    command = [sys.executable, "-c", no_weasyprint, *folders, "--out", "copied"]
    process = subprocess.run(command, capture_output=True, text=True, check=False)
    assert process.returncode == 0, process.stderr
    assert snapshot(tmp_path / "copied") == single
    # A shard missing a handout is refused, and nothing is written.
    missing = next(path for folder in folders for path in (tmp_path / folder / "pdf").glob("*.pdf"))
    missing.unlink()
    result = run("merge", *folders, "--out", "incomplete")
    assert result.exit_code == 2
    assert f"cannot read {missing.relative_to(tmp_path)}" in result.output
    assert not list((tmp_path / "incomplete").rglob("*.pdf"))


@pytest.mark.parametrize("foreign", [b'{"settings": true}\n', b"not json", None])
def test_a_shard_json_of_the_users_is_never_replaced(library: Path, foreign: bytes | None) -> None:
    out = library / "shards" / "1"
    out.mkdir(parents=True)
    path = out / DESCRIPTOR_NAME
    if foreign is None:
        path.mkdir()
    else:
        path.write_bytes(foreign)
    process = subprocess.run(
        [Path(sys.executable).parent / "immunopipe", "export", *JSON_AND_CSV, "--shard", "1/2", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 2, process.stderr
    assert "was not written by immunopipe export --shard" in process.stderr
    assert "Traceback" not in process.stderr
    assert foreign is None or path.read_bytes() == foreign
    assert not (out / "json").exists()
    # A shard's own descriptor is replaced by the next shard export into the same folder.
    if path.is_dir():
        path.rmdir()
    else:
        path.unlink()
    assert run("export", *JSON_AND_CSV, "--shard", "1/2", "--out", "shards/1", "-q").exit_code == 0
    assert run("export", *JSON_AND_CSV, "--shard", "1/2", "--out", "shards/1", "-q").exit_code == 0


def test_shards_with_another_clinic_profile_are_refused(library: Path) -> None:
    examples = Path(__file__).resolve().parent.parent / "examples"
    for name in ("clinic.yaml", "riverside-logo.svg"):
        shutil.copy(examples / name, library / name)
    first = run("export", *JSON_AND_CSV, "--shard", "1/2", "--out", "shards/1", "-q", "--profile", "clinic.yaml")
    assert first.exit_code == 0, first.output
    assert run("export", *JSON_AND_CSV, "--shard", "2/2", "--out", "shards/2", "-q").exit_code == 0
    assert "their options (--paper, --large-print, --csv-bom, --profile) differ" in merge_refused(
        library, "shards/1", "shards/2"
    )


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed ``immunopipe`` command, run in ``cwd``."""
    script = Path(sys.executable).with_name("immunopipe")
    return subprocess.run([str(script), *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def translated_library(tmp_path: Path) -> Path:
    """The repository's content/: the seed article and its three translations (ar, es, zh-Hans)."""
    shutil.copytree(Path(__file__).parents[1] / "content", tmp_path / "content")
    return tmp_path


ALL_FORMATS = ("--to", "json", "--to", "csv", "--to", "pdf", "--to", "xlsx")


def test_merged_shards_with_translations_are_byte_identical_to_one_export(translated_library: Path) -> None:
    """Translations go with their source article's shard; the merge writes one export's bytes, PDFs included."""
    root = translated_library
    single = cli(root, "export", *ALL_FORMATS, "--out", "single", "-q", "--no-cache")
    assert single.returncode == 0, single.stderr
    for number in (1, 2):
        shard = cli(root, "export", *ALL_FORMATS, "--shard", f"{number}/2", "--out", f"shard-{number}", "-q")
        assert shard.returncode == 0, shard.stderr
    merged = cli(root, "merge", "shard-2", "shard-1", "--out", "merged")
    assert merged.returncode == 0, merged.stderr
    expected = snapshot(root / "single")
    languages = ("ar", "es", "zh-Hans")
    for language in languages:
        assert {f"json/{SEED_ID}.{language}.json", f"pdf/{SEED_ID}.{language}.pdf"} <= set(expected)
    assert {"csv/translations.csv", "csv/translation_status.csv", "xlsx/articles.xlsx"} <= set(expected)
    index = json.loads(expected["json/index.json"])
    assert sorted(entry["language"] for entry in index["translations"]) == list(languages)
    assert snapshot(root / "merged") == expected
    # The translations are in the shard of their source article, and only there.
    descriptors = [json.loads((root / f"shard-{number}" / DESCRIPTOR_NAME).read_bytes()) for number in (1, 2)]
    holding = [d for d in descriptors if d["articles"]]
    assert len(holding) == 1
    assert sorted(entry["language"] for entry in holding[0]["translations"]) == list(languages)
    assert all(not d["translations"] for d in descriptors if not d["articles"])


def test_a_shard_missing_a_translation_is_refused(translated_library: Path) -> None:
    root = translated_library
    for number in (1, 2):
        assert cli(root, "export", *JSON_AND_CSV, "--shard", f"{number}/2", "--out", f"shard-{number}").returncode == 0
    number = next(n for n in (1, 2) if (root / f"shard-{n}" / "json" / f"{SEED_ID}.es.json").exists())
    holder = root / f"shard-{number}"
    descriptor = holder / DESCRIPTOR_NAME
    data = json.loads(descriptor.read_bytes())
    data["translations"] = data["translations"][1:]
    descriptor.write_text(json.dumps(data), "utf-8")
    refused = cli(root, "merge", "shard-1", "shard-2", "--out", "merged")
    assert refused.returncode == 2, refused.stderr
    assert "the shards hold 2 translations, but the library has 3" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (root / "merged").exists()
    # A language that cannot name a file is a damaged descriptor, not a path outside the shard.
    assert cli(root, "export", *JSON_AND_CSV, "--shard", f"{number}/2", "--out", holder.name).returncode == 0
    data = json.loads(descriptor.read_bytes())
    data["translations"][0]["language"] = "../es"
    descriptor.write_text(json.dumps(data), "utf-8")
    refused = cli(root, "merge", "shard-1", "shard-2", "--out", "merged")
    assert refused.returncode == 2, refused.stderr
    assert f"shard.json is damaged: the language of '{SEED_ID}'" in refused.stderr
    assert "Traceback" not in refused.stderr
    # A translation's JSON file changed after the shard was made is refused too.
    assert cli(root, "export", *JSON_AND_CSV, "--shard", f"{number}/2", "--out", holder.name).returncode == 0
    (holder / "json" / f"{SEED_ID}.es.json").write_bytes(b"{}")
    refused = cli(root, "merge", "shard-1", "shard-2", "--out", "merged")
    assert refused.returncode == 2, refused.stderr
    assert f"{SEED_ID}.es.json changed since its shard was made" in refused.stderr
    assert snapshot(root / "merged") == {}


def test_shards_of_another_translation_are_refused(translated_library: Path) -> None:
    """A translation edited between the shard jobs makes another library: the merge stops."""
    root = translated_library
    assert cli(root, "export", *JSON_AND_CSV, "--shard", "1/2", "--out", "shard-1").returncode == 0
    spanish = root / "content" / "translations" / "es" / f"{SEED_ID}.yaml"
    spanish.unlink()
    assert cli(root, "export", *JSON_AND_CSV, "--shard", "2/2", "--out", "shard-2").returncode == 0
    refused = cli(root, "merge", "shard-1", "shard-2", "--out", "merged")
    assert refused.returncode == 2, refused.stderr
    assert "their library (content files) differ" in refused.stderr
    assert not (root / "merged").exists()


def test_a_descriptor_of_an_older_layout_is_refused(library: Path) -> None:
    folders = export_shards(2, *JSON_AND_CSV)
    descriptor = library / folders[0] / DESCRIPTOR_NAME
    data = json.loads(descriptor.read_bytes())
    data["layout"] = DESCRIPTOR_LAYOUT - 1
    descriptor.write_text(json.dumps(data), "utf-8")
    message = merge_refused(library, *folders)
    assert f"has shard layout {DESCRIPTOR_LAYOUT - 1} (made by immunopipe {data['immunopipe']})" in message
    assert "export every shard again with this version" in message
