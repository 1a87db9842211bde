"""Translations through the installed CLI: shipped ones validate and export, stale facts, refresh, hostile files."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from immunopipe.translation.readability import inflesz, spanish_syllables
from immunopipe.translation.scripts import ALMARAI, font_file, missing_characters

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "immunopipe"]
LANGUAGES = ("es", "ar", "zh-Hans")
SEED = "immune-system-medicine"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A copy of the shipped content: the seed article and its three translations."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    return tmp_path


def translation_file(library: Path, language: str) -> Path:
    return library / "content" / "translations" / language / f"{SEED}.yaml"


def rules_of(result: subprocess.CompletedProcess[str], rule: str) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.endswith(f"[{rule}]")]


def test_shipped_translations_validate_with_no_errors(library: Path) -> None:
    result = run("validate", cwd=library)
    assert result.returncode == 0, result.stdout
    assert "0 errors" in result.stdout
    assert not [line for line in result.stdout.splitlines() if ": error:" in line]


def test_editing_one_english_fact_makes_exactly_that_fact_stale_in_every_translation(library: Path) -> None:
    source = library / "content" / f"{SEED}.yaml"
    old = "Suppressing the immune system can increase the risk of infections."
    new = "Suppressing the immune system raises the risk of infections."
    source.write_text(source.read_text("utf-8").replace(old, new), "utf-8")
    result = run("validate", cwd=library)
    stale = rules_of(result, "translation-stale")
    assert len(stale) == len(LANGUAGES)
    for language, line in zip(sorted(LANGUAGES), sorted(stale), strict=True):
        assert line.startswith(f"content/translations/{language}/{SEED}.yaml:")
        assert "considerations/infection-risk/text" in line
        assert f'was "{old}", now "{new}"' in line
    assert result.returncode == 0  # a warning...
    assert run("validate", "--strict", cwd=library).returncode == 1  # ...an error under --strict


def test_translate_refreshes_without_losing_translated_text_and_accept_clears_stale(library: Path) -> None:
    source = library / "content" / f"{SEED}.yaml"
    text = source.read_text("utf-8").replace(
        "    text: Suppressing the immune system can", "    text: Lowering the immune system can"
    )
    text = text.replace(
        "  - id: balanced-immunity",
        "  - id: sun-protection\n    kind: risk\n    text: Protect your skin from the sun.\n  - id: balanced-immunity",
    )
    source.write_text(text, "utf-8")
    spanish = translation_file(library, "es")
    before = spanish.read_text("utf-8")
    result = run("translate", SEED, "es", cwd=library)
    assert result.returncode == 0, result.stderr
    assert "1 facts to translate" in result.stdout and "1 stale" in result.stdout
    after = spanish.read_text("utf-8")
    assert "Frenar el sistema inmunitario puede aumentar el riesgo de infecciones." in after  # kept
    assert after.count("untranslated: true") == 1 and "Protect your skin from the sun." in after
    assert len(after) > len(before)
    checked = run("validate", cwd=library)
    assert len(rules_of(checked, "translation-untranslated")) == 1
    assert any("es/" in line for line in rules_of(checked, "translation-stale"))
    assert run("translate", SEED, "es", "--accept", "considerations/infection-risk/text", cwd=library).returncode == 0
    assert not [line for line in rules_of(run("validate", cwd=library), "translation-stale") if "/es/" in line]


HOSTILE = {
    "different article id": (("article: immune-system-medicine", "article: another-article"), "translation-article"),
    "unknown language tag": (("language: es", "language: xx-notatag"), "translation-language"),
    "bidi override": (("text: Lupus\n", 'text: "Lu\\u202epus"\n'), "translation-bidi-control"),
    "translated id": (("conditions/lupus/name:", "conditions/lupo/name:"), "translation-orphan"),
    "translated code": (
        (
            "  conditions/lupus/name:",
            "  conditions/lupus/codes:\n    source: M32\n    fingerprint: 0123456789abcdef\n"
            "    text: M32\n  conditions/lupus/name:",
        ),
        "translation-fixed-fact",
    ),
    "missing glyph": (("text: Lupus\n", 'text: "Lupus \\U0001F9EC"\n'), "translation-missing-glyph"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_translation_gives_a_located_diagnostic(library: Path, case: str) -> None:
    (old, new), rule = HOSTILE[case]
    spanish = translation_file(library, "es")
    text = spanish.read_text("utf-8")
    assert old in text
    spanish.write_text(text.replace(old, new, 1), "utf-8")
    result = run("validate", cwd=library)
    assert result.returncode == 1
    found = rules_of(result, rule)
    assert found, result.stdout
    path, line, column = found[0].split(":")[:3]
    assert path == f"content/translations/es/{SEED}.yaml" and int(line) > 1 and int(column) >= 1


def test_a_translation_100_times_its_source_is_refused_at_the_start_of_its_document(library: Path) -> None:
    spanish = translation_file(library, "es")
    padding = "# " + "x" * 200 + "\n"
    size = (library / "content" / f"{SEED}.yaml").stat().st_size
    spanish.write_text(spanish.read_text("utf-8") + padding * (100 * size // len(padding)), "utf-8")
    found = rules_of(run("validate", cwd=library), "translation-too-large")
    assert found and found[0].startswith(f"content/translations/es/{SEED}.yaml:2:1:")  # line 1 is the modeline


def test_export_writes_every_translation_in_its_script_and_order(library: Path) -> None:
    result = run("export", "--to", "json", "--to", "pdf", cwd=library)
    assert result.returncode == 0, result.stdout + result.stderr
    out = library / "exports"
    index = json.loads((out / "json" / "index.json").read_text("utf-8"))
    assert sorted(entry["language"] for entry in index["translations"]) == sorted(LANGUAGES)
    expected = {
        "es": ["¿Para qué se usan los medicamentos del sistema", "Lo más importante", "traductor cualificado"],
        "zh-Hans": ["免疫系统药物有什么用途\uff1f", "要点", "尚未经合格译者审校。"],
        # Extractors give right-to-left text in logical (reading) order, so the order holds for Arabic too.
        "ar": ["فيمَ تُستخدم أدوية الجهاز المناعي", "الفكرة الأساسية", "ولم يراجعها بعدُ مترجم مؤهل."],
    }
    for language, phrases in expected.items():
        reader = pypdf.PdfReader(out / "pdf" / f"{SEED}.{language}.pdf")
        text = "".join(page.extract_text() for page in reader.pages)
        positions = [text.find(phrase) for phrase in phrases]
        assert -1 not in positions and positions == sorted(positions), (language, positions)
        assert reader.trailer["/Root"]["/Lang"] == language
    from immunopipe.load import load_bytes
    from immunopipe.validate.schema import SchemaChecker

    checker = SchemaChecker()
    for language in LANGUAGES:  # a translated article is still an article, valid against the schema it names
        exported = json.loads((out / "json" / f"{SEED}.{language}.json").read_text("utf-8"))
        assert checker.check(load_bytes(json.dumps(exported["article"]).encode())) == []
    document = json.loads((out / "json" / f"{SEED}.ar.json").read_text("utf-8"))
    assert document["translation"]["status"]["checked_by"] == "pending"
    assert document["article"]["title"] == "فيمَ تُستخدم أدوية الجهاز المناعي؟"


def test_a_clinic_profile_is_introduced_in_the_reader_s_language(library: Path) -> None:
    """The clinic's header and contact box carry the translation's labels; the profile's own values as written."""
    shutil.copytree(REPO / "examples", library / "examples")
    result = run("export", "--to", "pdf", "--profile", "examples/clinic.yaml", cwd=library)
    assert result.returncode == 0, result.stdout + result.stderr
    expected = {
        "": ["Phone:", "Questions? Contact Riverside Health Centre:"],
        ".es": ["Teléfono:", "¿Tiene preguntas? Contacte con Riverside Health Centre:", "Este folleto en internet:"],
        ".zh-Hans": ["电话\uff1a", "有疑问\uff1f请联系Riverside Health Centre\uff1a", "本宣传页网络版\uff1a"],
        # Extractors place the colon of a right-to-left label beside a left-to-right value at either end.
        ".ar": ["الهاتف", "هل لديك أسئلة؟ تواصل مع", "هذه النشرة على الإنترنت"],
    }
    for suffix, phrases in expected.items():
        reader = pypdf.PdfReader(library / "exports" / "pdf" / f"{SEED}{suffix}.pdf")
        text = "".join(page.extract_text() for page in reader.pages)
        # Lines joined as read: with a space, or with none in Chinese.
        lines = (" ".join(text.split()), text.replace("\n", ""))
        assert [phrase for phrase in phrases if not any(phrase in joined for joined in lines)] == [], suffix
        if suffix:
            assert "Phone:" not in text and "Questions?" not in text and "This leaflet online" not in text


def test_no_shipped_translation_has_a_character_its_fonts_lack() -> None:
    arabic = (REPO / "content" / "translations" / "ar" / f"{SEED}.yaml").read_text("utf-8")
    assert missing_characters([font_file(ALMARAI)], "مرحبا") == []
    assert missing_characters([font_file(ALMARAI)], "\u514d") == ["\u514d"]  # a Han character
    assert "الجهاز المناعي" in arabic


def test_spanish_readability_uses_szigriszt_pazos_syllables() -> None:
    assert [spanish_syllables(word) for word in ("sistema", "inmunitario", "día", "ciudad", "poeta")] == [3, 5, 2, 2, 3]
    # 206.835 - 62.3 * 4/4 - 4/1 for "Mi casa es azul." (4 words, 1+2+1+2 = 6 syllables)
    assert inflesz("Mi casa es azul.") == pytest.approx(206.835 - 62.3 * 6 / 4 - 4)
    assert inflesz("") is None


def edit_spanish(library: Path, old: str, new: str) -> None:
    spanish = translation_file(library, "es")
    text = spanish.read_text("utf-8")
    assert old in text
    spanish.write_text(text.replace(old, new, 1), "utf-8")


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("    fingerprint: 531a1f1a56db1a27\n", "    fingerprint: 0000000000000000\n", "translation-fingerprint"),
        ("Página {page} de {pages}", "Página {page}", "translation-placeholder"),
        ("language: es", "language: es-MX", "translation-language"),
        ("Tratar las enfermedades autoinmunitarias", "Tratar \u200blas enfermedades", "translation-bidi-control"),
    ],
    ids=["fingerprint edited", "placeholder lost", "language differs from folder", "zero-width space"],
)
def test_more_broken_translations_are_located(library: Path, old: str, new: str, rule: str) -> None:
    edit_spanish(library, old, new)
    result = run("validate", cwd=library)
    assert result.returncode == 1
    assert rules_of(result, rule), result.stdout


def test_a_missing_fact_is_an_error_naming_it(library: Path) -> None:
    spanish = translation_file(library, "es")
    text = spanish.read_text("utf-8")
    start = text.index("  uses/autoimmune-diseases/title:\n")
    end = text.index("  uses/autoimmune-diseases/description:\n")
    spanish.write_text(text[:start] + text[end:], "utf-8")
    found = rules_of(run("validate", cwd=library), "translation-missing")
    assert len(found) == 1 and "'uses/autoimmune-diseases/title'" in found[0]


def test_stale_can_be_made_an_error_in_the_settings(library: Path) -> None:
    source = library / "content" / f"{SEED}.yaml"
    source.write_text(source.read_text("utf-8").replace("Lasting a long time", "Lasting long"), "utf-8")
    assert run("validate", cwd=library).returncode == 0
    (library / "pyproject.toml").write_text('[tool.immunopipe.rules]\ntranslation-stale = "error"\n', "utf-8")
    result = run("validate", cwd=library)
    assert result.returncode == 1
    assert all(": error:" in line for line in rules_of(result, "translation-stale"))


def test_validating_a_translation_alone_checks_its_source_too(library: Path) -> None:
    source = library / "content" / f"{SEED}.yaml"
    source.write_text(source.read_text("utf-8").replace("reading_time_minutes: 3", "reading_time_minutes: x"), "utf-8")
    result = run("validate", f"content/translations/es/{SEED}.yaml", cwd=library)
    assert result.returncode == 1
    assert rules_of(result, "schema-type") and rules_of(result, "translation-source")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((SEED, "xx-notatag"), "not a valid BCP 47 language tag"),
        ((SEED, "ru"), "no typeface is bundled for the Cyrl script"),
        (("no-such-article", "es"), "no article"),
        ((SEED, "es", "--accept", "uses/nope/title"), "the source has no such fact"),
    ],
    ids=["bad tag", "unsupported script", "no article", "unknown fact to accept"],
)
def test_translate_refuses_bad_requests_and_changes_nothing(library: Path, args: tuple[str, ...], message: str) -> None:
    before = {path: path.read_bytes() for path in (library / "content").rglob("*.yaml")}
    result = run("translate", *args, cwd=library)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert {path: path.read_bytes() for path in (library / "content").rglob("*.yaml")} == before


def test_translate_refuses_to_refresh_a_broken_file(library: Path) -> None:
    edit_spanish(library, "language: es", "language: [es]")
    before = translation_file(library, "es").read_bytes()
    result = run("translate", SEED, "es", cwd=library)
    assert result.returncode == 2 and "fix" in result.stderr
    assert translation_file(library, "es").read_bytes() == before


def test_translate_starts_a_new_language_with_every_fact_untranslated(library: Path) -> None:
    result = run("translate", SEED, "fr", cwd=library)
    assert result.returncode == 0, result.stderr
    french = translation_file(library, "fr").read_text("utf-8")
    assert french.startswith("# yaml-language-server: $schema=../../../schema/translation.schema.json\n")
    checked = run("validate", cwd=library)
    assert checked.returncode == 1
    assert len(rules_of(checked, "translation-untranslated")) == french.count("untranslated: true") > 100


def test_prune_removes_translations_of_facts_the_source_dropped(library: Path) -> None:
    source = library / "content" / f"{SEED}.yaml"
    text = source.read_text("utf-8").replace(
        "    duration: These medications are often taken for life to prevent rejection.\n", ""
    )
    source.write_text(text, "utf-8")
    assert rules_of(run("validate", cwd=library), "translation-orphan")
    assert run("translate", SEED, "es", "--prune", cwd=library).returncode == 0
    assert "duration" not in translation_file(library, "es").read_text("utf-8")
    orphans = rules_of(run("validate", cwd=library), "translation-orphan")
    assert orphans and not [line for line in orphans if "/es/" in line]  # Arabic and Chinese not pruned yet


def test_csv_translation_tables_read_back(library: Path) -> None:
    assert run("export", "--to", "csv", cwd=library).returncode == 0
    csv_folder = library / "exports" / "csv"
    with (csv_folder / "translations.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_language = {language: [row for row in rows if row["language"] == language] for language in LANGUAGES}
    assert len({len(facts) for facts in by_language.values()}) == 1
    titles = {row["language"]: row["text"] for row in rows if row["fact"] == "title"}
    assert titles["zh-Hans"] == "免疫系统药物有什么用途\uff1f"
    with (csv_folder / "translation_status.csv").open(encoding="utf-8-sig", newline="") as handle:
        status = list(csv.DictReader(handle))
    assert [(row["language"], row["method"], row["checked_by"]) for row in status] == [
        (language, "machine-assisted", "pending") for language in sorted(LANGUAGES)
    ]


def test_an_invalid_translation_blocks_the_export_and_a_removed_one_is_cleaned_up(library: Path) -> None:
    assert run("export", "--to", "json", cwd=library).returncode == 0
    exports = library / "exports" / "json"
    before = {path.name: path.read_bytes() for path in exports.iterdir()}
    edit_spanish(library, "article: immune-system-medicine", "article: another-article")
    assert run("export", "--to", "json", cwd=library).returncode == 1
    assert {path.name: path.read_bytes() for path in exports.iterdir()} == before
    translation_file(library, "es").unlink()
    assert run("export", "--to", "json", "--prune", cwd=library).returncode == 0
    assert not (exports / f"{SEED}.es.json").exists() and (exports / f"{SEED}.ar.json").exists()


def test_a_translated_handout_is_cached_under_its_language_labels_and_status(library: Path) -> None:
    from dataclasses import replace

    from immunopipe.export.handout_language import handout_language
    from immunopipe.export.pdf_pool import article_inputs
    from immunopipe.load import load_path
    from immunopipe.model import article_from_data
    from immunopipe.translation.model import Translation

    article = article_from_data(load_path(library / "content" / f"{SEED}.yaml").data)
    translation = Translation.from_data(load_path(translation_file(library, "es")).data)
    checked = replace(
        translation, status={**translation.status, "checked_by": {"name": "A. Ruiz", "date": "2026-12-02"}}
    )
    spanish, spanish_checked = handout_language(translation), handout_language(checked)
    assert "Lo revisó un segundo traductor, A. Ruiz, el 2 de diciembre de 2026." in spanish_checked.status
    keys = {article_inputs(article), article_inputs(article, spanish), article_inputs(article, spanish_checked)}
    assert len(keys) == 3


def test_a_translated_handout_never_prints_a_character_its_fonts_lack(library: Path) -> None:
    from dataclasses import replace

    from immunopipe.export.handout_language import handout_language
    from immunopipe.export.pdf import PdfRenderError, render_pdf
    from immunopipe.load import load_path
    from immunopipe.model import article_from_data
    from immunopipe.translation.facts import translated_article
    from immunopipe.translation.model import Translation

    article = article_from_data(load_path(library / "content" / f"{SEED}.yaml").data)
    translation = Translation.from_data(load_path(translation_file(library, "ar")).data)
    arabic = translated_article(article, translation.texts, "ar")
    unprintable = replace(arabic, title=arabic.title + " \U0010fffd")  # a private-use character no font has
    with pytest.raises(PdfRenderError, match="notdef"):
        render_pdf(unprintable, language=handout_language(translation))


def test_export_strict_refuses_a_stale_translation_and_writes_nothing(library: Path) -> None:
    source = library / "content" / f"{SEED}.yaml"
    source.write_text(source.read_text("utf-8").replace("Lasting a long time", "Lasting long"), "utf-8")
    result = run("export", "--to", "json", "--strict", cwd=library)
    assert result.returncode == 1 and rules_of(result, "translation-stale")
    assert not (library / "exports").exists()


def test_arabic_is_laid_out_right_to_left_in_its_own_words(library: Path) -> None:
    from immunopipe.export.handout import render_html
    from immunopipe.export.handout_language import handout_language
    from immunopipe.load import load_path
    from immunopipe.model import article_from_data
    from immunopipe.translation.facts import translated_article
    from immunopipe.translation.model import Translation

    article = article_from_data(load_path(library / "content" / f"{SEED}.yaml").data)
    translation = Translation.from_data(load_path(translation_file(library, "ar")).data)
    html = render_html(translated_article(article, translation.texts, "ar"), language=handout_language(translation))
    assert '<html lang="ar" dir="rtl"' in html
    assert "تُرجمت هذه النشرة من الإنجليزية بمساعدة الترجمة الآلية. ولم يراجعها بعدُ مترجم مؤهل." in html
    assert "The main point" not in html and "Things to know" not in html


def test_translations_and_their_exports_validate_against_the_published_schemas(library: Path) -> None:
    from jsonschema import Draft202012Validator

    from immunopipe.load import load_path
    from immunopipe.schemas import schema_id, standalone

    def errors(name: str, value: object) -> list[str]:
        validator = Draft202012Validator(standalone(name), format_checker=Draft202012Validator.FORMAT_CHECKER)
        return [error.message for error in validator.iter_errors(value)]

    for language in LANGUAGES:
        assert errors("translation", load_path(translation_file(library, language)).data) == []
    assert run("export", "--to", "json", cwd=library).returncode == 0
    folder = library / "exports" / "json"
    index = json.loads((folder / "index.json").read_text("utf-8"))
    assert index["$schema"] == schema_id("index") and errors("index", index) == []
    for language in LANGUAGES:
        document = json.loads((folder / f"{SEED}.{language}.json").read_text("utf-8"))
        assert document["$schema"] == schema_id("translation-document")
        assert errors("translation-document", document) == []


def test_the_workbook_holds_the_translation_tables_as_the_csv_does(library: Path) -> None:
    import openpyxl

    assert run("export", "--to", "csv", "--to", "xlsx", cwd=library).returncode == 0
    workbook = openpyxl.load_workbook(library / "exports" / "xlsx" / "articles.xlsx", read_only=True)
    with (library / "exports" / "csv" / "translations.csv").open(encoding="utf-8-sig", newline="") as handle:
        csv_rows = list(csv.reader(handle))
    sheet_rows = [["" if cell is None else str(cell) for cell in row] for row in workbook["translations"].values]
    assert sheet_rows == csv_rows  # the labels' leading "'" aside: none of these cells starts a formula
    assert len(list(workbook["translation_status"].values)) == 1 + len(LANGUAGES)
    assert len(list(workbook["articles"].values)) == 2  # the header and the English article alone
