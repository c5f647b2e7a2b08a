"""Rendered funder reports: the numbers and words a funder reads, privacy, determinism, PDF/A."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pypdf
import pytest

from outcomes.reports.render import (
    count_pages,
    render_project_report,
    render_synthesis_report,
)
from outcomes.reports.tables import build_report_tables


def _nl(text: str) -> str:
    """Return a number as the Dutch report writes it (decimal comma, true minus sign)."""
    return text.replace(".", ",").replace("-", "−")


def _text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    """Join lines (and words hyphenated at a line end) so phrases can be searched for."""
    return re.sub(r"\s+", " ", re.sub(r"-\n(?=[a-z])", "", text))


@pytest.fixture(scope="module")
def reports(tmp_path_factory, panel, model, matthew, validation, files, names, make_matthew_for,
            pooled, pooled_interaction):  # fmt: skip
    out = tmp_path_factory.mktemp("reports")
    project = build_report_tables(
        panel, model, matthew, validation, files, project="netwerkcoach",
        project_name=names["netwerkcoach"], organisation="Mezzo",
        instruments=["mhi5", "djg11", "network_map"], primary_wellbeing="mhi5",
    )  # fmt: skip
    synthesis = build_report_tables(
        panel, model, make_matthew_for("all"), None, files, project=None, project_names=names,
        pooled={"results": [pooled, pooled_interaction]},
        matthew_by_project={p: make_matthew_for(p, "no_evidence") for p in names},
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
    slope = model["fixed_effects"]["years"]
    inter = model["fixed_effects"]["years:network_size_bl_c"]
    word = " tot " if lang == "nl" else " to "
    # Sentences: slope 1 decimal, interaction 2; the results table: 2 and 3 decimals.
    assert fmt(f"{slope['estimate']:.1f}") in text
    assert fmt(f"{slope['ci_low']:.1f}") + word + fmt(f"{slope['ci_high']:.1f}") in text
    assert fmt(f"{slope['estimate']:.2f}") in text
    assert fmt(f"{slope['ci_low']:.2f}") + word + fmt(f"{slope['ci_high']:.2f}") in text
    assert fmt(f"{inter['estimate']:.2f}") in text
    assert fmt(f"{inter['estimate']:.3f}") in text
    assert fmt(f"{inter['ci_low']:.3f}") + word + fmt(f"{inter['ci_high']:.3f}") in text
    for group in matthew["subgroups"]:
        assert fmt(f"{group['slope']:+.1f}") in text
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
    stored = json.loads(json.dumps(reports["synthesis"].to_dict()))
    first = reports["rendered"][("synthesis", "en")].path.read_bytes()
    again = render_synthesis_report(stored, tmp_path / "s.pdf", "en")
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
    assert fmt(f"{pooled['estimate']:.2f}") in text
    assert fmt(f"{pooled['estimate']:.1f}") in text
    assert f"I² = {pooled['i2']:.0f}%" in text
    assert fmt(f"{pooled['pi_low']:.1f}") in text and fmt(f"{pooled['pi_high']:.1f}") in text
    for study in pooled["studies"]:
        assert fmt(f"{study['estimate']:.2f}") in text
    assert ("enig verschil" if lang == "nl" else "some variation") in text
    assert ("geen aanwijzing" if lang == "nl" else "no evidence") in text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_synthesis_report_shows_the_pooled_matthew_interaction(reports, pooled_interaction, lang):
    text = _flat(reports["texts"][("synthesis", lang)])
    fmt = _nl if lang == "nl" else (lambda s: s.replace("-", "−"))
    inter = pooled_interaction
    assert fmt(f"{inter['estimate']:.3f}") in text
    assert fmt(f"{inter['estimate']:.2f}") in text
    for study in inter["studies"]:
        assert fmt(f"{study['estimate']:.3f}") in text
        assert fmt(f"{study['ci_low']:.3f}") in text
    assert ("weinig verschil" if lang == "nl" else "little variation") in text


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
    from outcomes.reports.text import LanguageError

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
        cell in ("<10", "x", "–") for row in tables.participation["display"] for cell in row[1:]
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
