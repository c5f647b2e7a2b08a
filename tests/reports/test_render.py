"""Rendered funder reports: the numbers and words a funder reads, privacy, determinism, PDF/A."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pypdf
import pytest

from outcomes.atomic import write_json
from outcomes.documents import ReportTables, read
from outcomes.language import format_number, word
from outcomes.reports.labels import format_interval, network_size_value
from outcomes.reports.project_content import project_content
from outcomes.reports.render import count_pages, render_project_report, render_synthesis_report
from outcomes.reports.synthesis_content import synthesis_content
from outcomes.reports.tables import build_report_tables


def _nl(text: str) -> str:
    """Return a number as the Dutch report writes it (decimal comma, true minus sign)."""
    return text.replace(".", ",").replace("-", "−")


def _text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    """Join lines (and words hyphenated at a line end) so phrases can be searched for.

    typst maps a glyph to one character for the whole PDF, so once a word is hyphenated at a
    line end (a soft hyphen), pypdf reads every hyphen as U+00AD; it is read back as ``-``.
    """
    text = text.replace("\u00ad", "-")
    return re.sub(r"\s+", " ", re.sub(r"-\n(?=[a-z])", "", text))


@pytest.fixture(scope="module")
def reports(tmp_path_factory, panel, model, synthesis_model, matthew, validation, files, names,
            make_matthew_for, pooled_document):  # fmt: skip
    out = tmp_path_factory.mktemp("reports")
    project = build_report_tables(
        panel, model, matthew, validation, files, project="netwerkcoach",
        project_name=names["netwerkcoach"], organisation="Mezzo",
        instruments=["mhi5", "djg11", "network_map"], primary_wellbeing="mhi5",
    )  # fmt: skip
    synthesis = build_report_tables(
        panel, synthesis_model, make_matthew_for("all"), None, files, project=None,
        project_names=names, pooled=pooled_document,
        matthew_by_project={p: make_matthew_for(p, role="exploratory") for p in names},
    )  # fmt: skip
    rendered = {}
    for lang in ("nl", "en"):
        rendered[("project", lang)] = render_project_report(
            project, out / f"netwerkcoach.{lang}.pdf", lang
        )
        rendered[("synthesis", lang)] = render_synthesis_report(
            synthesis, out / f"synthesis.{lang}.pdf", lang
        )
    texts = {key: _text(info.path) for key, info in rendered.items()}
    return {
        "out": out,
        "project": project,
        "synthesis": synthesis,
        "rendered": rendered,
        "texts": texts,
    }


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_project_report_shows_the_model_numbers_as_rounded(reports, model, matthew, lang):
    text = _flat(reports["texts"][("project", lang)])
    fmt = _nl if lang == "nl" else (lambda s: s.replace("-", "−"))
    slope = model.fixed_effects["years"]
    inter = model.fixed_effects["years:network_size_bl_c"]
    word = " tot " if lang == "nl" else " to "
    # Sentences: slope 1 decimal, interaction 2; the results table: 2 and 3 decimals.
    assert fmt(f"{slope.estimate:.1f}") in text
    assert fmt(f"{slope.ci_low:.1f}") + word + fmt(f"{slope.ci_high:.1f}") in text
    assert fmt(f"{slope.estimate:.2f}") in text
    assert fmt(f"{slope.ci_low:.2f}") + word + fmt(f"{slope.ci_high:.2f}") in text
    assert fmt(f"{inter.estimate:.2f}") in text
    assert fmt(f"{inter.estimate:.3f}") in text
    assert fmt(f"{inter.ci_low:.3f}") + word + fmt(f"{inter.ci_high:.3f}") in text
    for group in matthew.subgroups:
        assert fmt(f"{group.slope:+.1f}") in text
    assert "Natuurlijk een Netwerkcoach" in text
    assert ("Mattheuseffect" if lang == "nl" else "Matthew effect") in text
    assert ("geen controlegroep" if lang == "nl" else "no control group") in text.lower()
    assert ("Regressie naar het gemiddelde" if lang == "nl" else "Regression to the mean") in text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_small_groups_show_as_less_than_ten_with_mean_withheld(reports, lang):
    text = reports["texts"][("project", lang)]
    other = "Anders" if lang == "nl" else "Other"
    assert re.search(rf"^{other} <10 – –$", text, re.MULTILINE), text
    assert re.search(r"^Zeist <10 – –$", text, re.MULTILINE)
    # The complementary cell is hidden as "x", never with a misleading "<10".
    assert re.search(r"^\w+ x – \d", text, re.MULTILINE)


def test_reports_carry_no_pseudonym_or_identifier(reports, panel):
    pseudonyms = set(panel["participant_id"].to_list())
    for key, info in reports["rendered"].items():
        text = reports["texts"][key]
        raw = info.path.read_bytes()
        assert not any(p in text for p in pseudonyms)
        assert not any(p[:16].encode() in raw for p in pseudonyms)
        assert not re.search(r"\bp[0-9a-f]{16,}", text)
        assert "@" not in text


def test_rerender_is_byte_identical(reports, tmp_path):
    first = reports["rendered"][("project", "nl")].path.read_bytes()
    again = render_project_report(reports["project"], tmp_path / "again.pdf", "nl")
    assert again.path.read_bytes() == first
    # Tables stored as JSON and read back give the same PDF as the in-memory tables.
    stored = write_json(tmp_path / "synthesis.json", reports["synthesis"].to_json())
    first = reports["rendered"][("synthesis", "en")].path.read_bytes()
    again = render_synthesis_report(read(ReportTables, stored), tmp_path / "s.pdf", "en")
    assert again.path.read_bytes() == first


def test_pdf_is_pdfa_2b_in_the_report_language_with_the_data_date(reports):
    for (kind, lang), info in reports["rendered"].items():
        reader = pypdf.PdfReader(info.path)
        assert reader.trailer["/Root"]["/Lang"] == lang
        xmp = reader.xmp_metadata.stream.get_data().decode()  # type: ignore[union-attr]
        assert re.search(r"pdfaid:part>\s*2|pdfaid:part=\"2\"", xmp)
        assert re.search(r"pdfaid:conformance>\s*B|pdfaid:conformance=\"B\"", xmp)
        assert f"{reports[kind].data_date}T00:00:00" in xmp
        assert info.pages == len(reader.pages) == count_pages(info.path.read_bytes())
        assert 2 <= info.pages <= 6


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_synthesis_report_shows_projects_pooled_and_matthew(reports, pooled, names, lang):
    text = _flat(reports["texts"][("synthesis", lang)])
    fmt = _nl if lang == "nl" else (lambda s: s)
    for name in names.values():
        assert name in text
    assert fmt(f"{pooled.estimate:.2f}") in text
    assert fmt(f"{pooled.estimate:.1f}") in text
    assert f"I² = {pooled.i2:.0f}%" in text
    assert fmt(f"{pooled.pi_low:.1f}") in text and fmt(f"{pooled.pi_high:.1f}") in text
    for study in pooled.studies:
        assert fmt(f"{study.estimate:.2f}") in text
    # three projects: I² gets no label, its interval is given
    assert ("met 3 projecten niet nauwkeurig" if lang == "nl" else "precisely with 3") in text
    assert ("Knapp–Hartung") in text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_synthesis_report_shows_the_pooled_matthew_interaction(reports, pooled_interaction, lang):
    text = _flat(reports["texts"][("synthesis", lang)])
    fmt = _nl if lang == "nl" else (lambda s: s.replace("-", "−"))
    inter = pooled_interaction
    assert fmt(f"{inter.estimate:.3f}") in text
    assert fmt(f"{inter.estimate:.2f}") in text
    for study in inter.studies:
        assert fmt(f"{study.estimate:.3f}") in text
        assert fmt(f"{study.ci_low:.3f}") in text
    # I² with its interval (three projects: no label)
    assert "I² = 0%" in text
    assert (f"0 tot {inter.i2_ci_high:.0f}%" if lang == "nl" else "0 to 89%") in text


def test_pages_render_to_png(reports, tmp_path):
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm (Debian package poppler-utils) is needed to check the pages"
    for (kind, lang), info in reports["rendered"].items():
        prefix = tmp_path / f"{kind}-{lang}"
        done = subprocess.run(
            [pdftoppm, "-r", "40", "-png", str(info.path), str(prefix)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "Error" not in done.stderr
        pngs = sorted(tmp_path.glob(f"{kind}-{lang}-*.png"))
        assert len(pngs) == info.pages
        assert all(p.stat().st_size > 1000 for p in pngs)


def test_unknown_language_is_refused(reports, tmp_path):
    from outcomes.language import LanguageError

    with pytest.raises(LanguageError, match="'de'"):
        render_project_report(reports["project"], tmp_path / "x.pdf", "de")
    assert not (tmp_path / "x.pdf").exists()


def test_tiny_project_without_models_renders_with_everything_hidden(panel, tmp_path):
    tiny_ids = panel.filter(pl.col("project") == "stamtafel")["participant_id"].unique().sort()[:8]
    tiny = panel.filter(pl.col("participant_id").is_in(tiny_ids.implode())).drop(
        "loneliness", "network_size"
    )
    tables = build_report_tables(tiny, None, None, None, None, project="stamtafel")
    assert all(
        cell in ("<10", "x", "–") for row in tables.participation.display for cell in row[1:]
    )
    info = render_project_report(tables, tmp_path / "tiny.pdf", "nl")
    text = _text(info.path)
    assert "minder dan 10 deelnemers" in text
    assert "te weinig mensen" in _flat(text)
    assert not re.search(r"gemiddeld \d", text)
    assert info.pages >= 1


def test_methods_name_the_instruments_from_the_registry(reports):
    from outcomes.instruments import INSTRUMENTS

    nl = _flat(reports["texts"][("project", "nl")])
    en = _flat(reports["texts"][("project", "en")])
    assert INSTRUMENTS["djg11"].name_nl in nl
    assert INSTRUMENTS["mhi5"].name in en
    assert "Berwick" in nl and "De Jong Gierveld J, Kamphuis FH (1985)" in en


def _strings(value: object) -> list[str]:
    """Return every string of a report's content (its data.json), depth first."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("kind", ["synthesis", "project"])
def test_declared_test_shows_the_yearly_change_at_network_sizes(reports, shapes, kind, lang):
    text = _flat(reports["texts"][(kind, lang)])
    assert word("simple_slopes", lang) in text
    for slope in shapes.primary_row().simple_slopes:
        assert network_size_value(slope.moderator_value, lang) in text
        assert format_number(slope.estimate, 2, lang) in text
        assert format_interval(slope.ci_low, slope.ci_high, 2, lang) in text
    assert "emtrends" in text and "emmeans" in text
    assert ("alleen beschrijvend" if lang == "nl" else "descriptive only") in text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_synthesis_names_the_method_the_bootstrap_and_the_holm_family(reports, lang):
    text = _flat(reports["texts"][("synthesis", lang)])
    if lang == "nl":
        assert "Satterthwaite-vrijheidsgraden" in text
        assert "200 bruikbare herhalingen" in text
        assert "De 53 andere toetsen" in text
    else:
        assert "Satterthwaite degrees of freedom" in text
        assert "200 usable replicates" in text
        assert "The 53 other tests" in text


def test_reports_print_no_none_or_null(reports):
    for key, text in reports["texts"].items():
        # ("None of the projects had a control group" is English, not a missing value)
        assert not re.search(r"\b(None(?! of)|null|nan|NaN)\b", text), key
        assert "– tot –" not in text and "– to –" not in text, key


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_matthew_grid_gives_a_verdict_to_the_declared_test_only(reports, shapes, lang):
    content, _ = synthesis_content(reports["synthesis"], lang)
    grid = next(
        b
        for section in content["sections"]
        for b in section["blocks"]
        if b.get("caption") == word("tab_matthew_all", lang)
    )
    primary = shapes.primary_row()
    declared = [r for r in grid["rows"] if r[:2] == [word("all_projects", lang).capitalize(),
                                                     word("wellbeing", lang)]]  # fmt: skip
    assert len(declared) == 1
    assert declared[0][-1] == ("Mattheuseffect" if lang == "nl" else "Matthew effect")
    assert declared[0][3] == format_interval(
        primary.verdict_ci_low, primary.verdict_ci_high, 3, lang
    )
    exploratory = [r for r in grid["rows"] if r not in declared]
    assert len(exploratory) == len(grid["rows"]) - 1 > 0
    for row in exploratory:
        assert row[-1].startswith("Verkennend (Holm" if lang == "nl" else "Exploratory (Holm")
        assert not [w for w in shapes.verdict_words[lang] if w in " ".join(row)], row


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_project_report_of_an_exploratory_test_has_no_verdict_word(
    panel, model, validation, files, names, shapes, lang
):
    matthew = shapes.matthew("netwerkcoach", role="exploratory")
    wellbeing, *others = matthew.results
    simplified = dataclasses.replace(
        wellbeing,
        random_structure="intercept",
        structure_note="the fit with correlated random terms was singular; so was the fit with "
        "uncorrelated terms; the model was refitted with a random intercept alone.",
    )
    matthew = dataclasses.replace(matthew, results=(simplified, *others))
    tables = build_report_tables(
        panel, model, matthew, validation, files, project="netwerkcoach",
        project_name=names["netwerkcoach"],
    )  # fmt: skip
    content, _ = project_content(tables, lang)
    text = " ".join(_strings(content))
    assert not [w for w in shapes.verdict_words[lang] if w in text], text
    assert ("53 verkennende toetsen" if lang == "nl" else "53 exploratory tests") in text
    assert ("te smal" if lang == "nl" else "too narrow") in text
    assert word("simple_slopes", lang) not in text
    assert not re.search(r"\b(None|null)\b", text)
