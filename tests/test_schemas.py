"""The published schemas: 2020-12 keywords only, honest ids, standalone exports, and check-jsonschema agreeing."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema_specifications import REGISTRY

from immunopipe.schemas import SCHEMA_FILES, read, schema_id, standalone, version

BIN = os.path.dirname(sys.executable)
IMMUNOPIPE = shutil.which("immunopipe", path=BIN)
CHECK_JSONSCHEMA = shutil.which("check-jsonschema", path=BIN)
META = "https://json-schema.org/draft/2020-12/schema"

#: Keywords whose value is a map of names to subschemas, a subschema, or a list of subschemas.
SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "dependentSchemas"}
SCHEMA_LISTS = {"allOf", "anyOf", "oneOf", "prefixItems"}
SCHEMA_VALUES = {"items", "not", "if", "then", "else", "additionalProperties", "contains", "propertyNames"}
SCHEMA_VALUES |= {"unevaluatedItems", "unevaluatedProperties", "contentSchema"}


def vocabulary_keywords() -> set[str]:
    """Every keyword the 2020-12 meta-schema's vocabularies define (from jsonschema-specifications)."""
    keywords: set[str] = set()
    for vocabulary in REGISTRY.contents(META)["$vocabulary"]:
        keywords |= set(REGISTRY.contents(vocabulary.replace("/vocab/", "/meta/"))["properties"])
    return keywords


def keywords_used(schema: Any, where: str = "#") -> Iterator[tuple[str, str]]:
    """``(location, keyword)`` for every keyword of ``schema`` and its subschemas."""
    if not isinstance(schema, dict):
        return
    for keyword, value in schema.items():
        yield where, keyword
        if keyword in SCHEMA_MAPS:
            for name, subschema in value.items():
                yield from keywords_used(subschema, f"{where}/{keyword}/{name}")
        elif keyword in SCHEMA_LISTS:
            for index, subschema in enumerate(value):
                yield from keywords_used(subschema, f"{where}/{keyword}/{index}")
        elif keyword in SCHEMA_VALUES:
            yield from keywords_used(value, f"{where}/{keyword}")


def test_the_vocabulary_check_itself_catches_a_stray_keyword() -> None:
    known = vocabulary_keywords()
    assert {"$id", "$comment", "properties", "format", "unevaluatedProperties"} <= known
    stray = {"properties": {"a": {"type": "string", "x-schema-version": "1"}}, "definitions": {}}
    assert {keyword for _, keyword in keywords_used(stray)} - known == {"x-schema-version", "definitions"}


@pytest.mark.parametrize("name", list(SCHEMA_FILES))
def test_only_keywords_of_the_2020_12_vocabularies(name: str) -> None:
    """What ajv's strict mode demands: an unknown keyword (x-schema-version was one) is refused."""
    unknown = [
        (where, keyword) for where, keyword in keywords_used(standalone(name)) if keyword not in vocabulary_keywords()
    ]
    assert unknown == []


@pytest.mark.parametrize("name", list(SCHEMA_FILES))
def test_ids_are_versioned_urns_not_made_up_web_addresses(name: str) -> None:
    schema = read(name)
    assert schema["$schema"] == META
    assert schema["$id"] == f"urn:immunopipe:schema:{name}:{version(name)}"
    assert version(name).count(".") == 2
    Draft202012Validator.check_schema(standalone(name))


def test_schemas_refer_to_the_article_schema_by_its_id() -> None:
    article = schema_id("article")
    assert read("article-document")["properties"]["article"]["$ref"] == article
    assert read("article-document")["properties"]["schema_version"]["const"] == version("article")
    assert read("index")["properties"]["article_schema"]["const"] == article
    assert read("index")["properties"]["schema_version"]["const"] == version("article")
    assert standalone("article-document")["$defs"]["article"] == read("article")


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(arg) for arg in args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_schema_export_writes_standalone_files(tmp_path: Path) -> None:
    assert IMMUNOPIPE
    result = run(IMMUNOPIPE, "schema", "--export", "schemas", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in (tmp_path / "schemas").iterdir()) == sorted(SCHEMA_FILES.values())
    for name, file_name in SCHEMA_FILES.items():
        assert json.loads((tmp_path / "schemas" / file_name).read_text(encoding="utf-8")) == standalone(name)
    printed = run(IMMUNOPIPE, "schema", "article-document", cwd=tmp_path)
    assert json.loads(printed.stdout) == standalone("article-document")
    blocked = tmp_path / "file"
    blocked.write_text("")
    refused = run(IMMUNOPIPE, "schema", "--export", "file/schemas", cwd=tmp_path)
    assert (
        refused.returncode == 2 and "cannot write the schemas" in refused.stderr and "Traceback" not in refused.stderr
    )


def test_schema_export_never_replaces_an_edited_copy_but_upgrades_an_earlier_version(tmp_path: Path) -> None:
    assert IMMUNOPIPE
    assert run(IMMUNOPIPE, "schema", "--export", "schemas", cwd=tmp_path).returncode == 0
    folder = tmp_path / "schemas"
    again = run(IMMUNOPIPE, "schema", "--export", "schemas", cwd=tmp_path)
    assert again.returncode == 0, again.stderr  # its own bytes: nothing to refuse
    edited = folder / "index.schema.json"
    edited.write_text(edited.read_text(encoding="utf-8").replace('"title"', '"my title"', 1), encoding="utf-8")
    earlier = folder / "profile.schema.json"
    document = json.loads(earlier.read_text(encoding="utf-8"))
    document["$id"] = document["$id"].rsplit(":", 1)[0] + ":0.9.0"
    earlier.write_text(json.dumps(document), encoding="utf-8")
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    refused = run(IMMUNOPIPE, "schema", "--export", "schemas", cwd=tmp_path)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith(f"Error: refusing to export the schemas: {Path('schemas/index.schema.json')} ")
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    edited.unlink()
    upgraded = run(IMMUNOPIPE, "schema", "--export", "schemas", cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert json.loads(earlier.read_text(encoding="utf-8")) == standalone("profile")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [(), ("--path",), ("--export", "schemas")])
def test_schema_output_that_cannot_be_written_is_named_in_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [str(IMMUNOPIPE), "schema", *args],
            cwd=tmp_path,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2
    assert result.stderr == "Error: cannot write the schema to standard output: No space left on device\n"


def mutation(old: str, new: str) -> Callable[[str], str]:
    def apply(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return apply


#: Cases both tools must judge alike: ``(file name, change to the seed, valid?)``.
CASES: list[tuple[str, Callable[[str], str], bool]] = [
    ("seed", lambda text: text, True),
    ("missing-key", mutation("language: en\n", ""), False),
    ("misspelt-key", mutation("language: en\n", "langauge: en\n"), False),
    ("wrong-type", mutation("reading_time_minutes: 3\n", "reading_time_minutes: three\n"), False),
    ("bad-enum", mutation("    status: pending\n", "    status: maybe\n"), False),
    ("bad-date", mutation("    published: unknown\n", '    published: "2024-13-01"\n'), False),
    ("good-date", mutation("    published: unknown\n", '    published: "2024-02-29"\n'), True),
    ("bad-pattern", mutation("id: immune-system-medicine\n", "id: Immune_System\n"), False),
    ("bad-uri", mutation("url: https://icd.who.int/browse10/2019/en\n", "url: icd.who.int browse\n"), False),
    ("empty-title", mutation("title: What is immune system medicine used for?\n", 'title: ""\n'), False),
    ("duplicate-key", mutation("language: en\n", "language: en\nlanguage: fr\n"), False),
    # libyaml accepts a tab after a colon, ruamel.yaml refuses the file: immunopipe refuses it too.
    ("tab-after-colon", mutation("category: Immunosuppression\n", "category:\tImmunosuppression\n"), False),
    ("tab-in-quoted-text", mutation("category: Immunosuppression\n", 'category: "Immuno\tsuppression"\n'), True),
]

#: ruamel.yaml uses libyaml when its optional C extension is installed (the bench extra brings it).
PEER_USES_LIBYAML = importlib.util.find_spec("_ruamel_yaml") is not None

LOAD_AND_SCHEMA = ("yaml-", "schema-", "duplicate-key", "encoding", "empty-file")


def test_check_jsonschema_agrees_with_immunopipe_on_content_and_mutations(tmp_path: Path, seed_text: str) -> None:
    assert IMMUNOPIPE and CHECK_JSONSCHEMA, "check-jsonschema is part of the test extra"
    run(IMMUNOPIPE, "schema", "--export", "schemas", cwd=tmp_path)
    (tmp_path / "cases").mkdir()
    for name, change, _valid in CASES:
        (tmp_path / "cases" / f"{name}.yaml").write_text(change(seed_text), encoding="utf-8")
    files = [f"cases/{name}.yaml" for name, _, _ in CASES]
    peer = run(CHECK_JSONSCHEMA, "--schemafile", "schemas/article.schema.json", "-o", "json", *files, cwd=tmp_path)
    peer_report = json.loads(peer.stdout)
    refused_by_peer = {e["filename"] for e in peer_report["errors"] + peer_report["parse_errors"]}
    ours = json.loads(run(IMMUNOPIPE, "validate", "--no-cache", "--format", "json", *files, cwd=tmp_path).stdout)
    refused_by_us = {d["path"] for d in ours["diagnostics"] if d["rule"].startswith(LOAD_AND_SCHEMA)}
    for name, _change, valid in CASES:
        path = f"cases/{name}.yaml"
        if name == "tab-after-colon" and PEER_USES_LIBYAML:
            assert path in refused_by_us, name  # ruamel.yaml's C loader is libyaml, which accepts the tab
            continue
        assert (path not in refused_by_peer, path not in refused_by_us) == (valid, valid), name


def test_check_jsonschema_accepts_the_exports_by_the_schemas_they_name(tmp_path: Path, seed_text: str) -> None:
    assert IMMUNOPIPE and CHECK_JSONSCHEMA
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "immune-system-medicine.yaml").write_text(seed_text, encoding="utf-8")
    assert run(IMMUNOPIPE, "export", "--to", "json", "-q", cwd=tmp_path).returncode == 0
    run(IMMUNOPIPE, "schema", "--export", "schemas", cwd=tmp_path)
    document = json.loads((tmp_path / "exports/json/immune-system-medicine.json").read_text(encoding="utf-8"))
    index = json.loads((tmp_path / "exports/json/index.json").read_text(encoding="utf-8"))
    by_id = {schema_id(name): file_name for name, file_name in SCHEMA_FILES.items()}
    for exported, named in (("immune-system-medicine.json", document["$schema"]), ("index.json", index["$schema"])):
        schema = f"schemas/{by_id[named]}"
        result = run(CHECK_JSONSCHEMA, "--schemafile", schema, f"exports/json/{exported}", cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
    broken = dict(document, article={**document["article"], "language": 3})
    (tmp_path / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    refused = run(CHECK_JSONSCHEMA, "--schemafile", "schemas/article-document.schema.json", "broken.json", cwd=tmp_path)
    assert refused.returncode == 1 and "language" in refused.stdout
