"""Reliable change in the reports (docs/architecture.md, "Reliable change"): the plain sentence,
the protected table and the greyscale figure in a project report and in the synthesis, Dutch and
English, and the reason given for a project whose instrument has no reliability."""

from __future__ import annotations

import re

import polars as pl
import pypdf
import pytest

from outcomes.documents import ReliableChangeDocument
from outcomes.models.reliable_change import reliable_change_document
from outcomes.reports.project_content import project_content
from outcomes.reports.reliable_change_content import FIGURE
from outcomes.reports.render import render_project_report
from outcomes.reports.synthesis_content import synthesis_content
from outcomes.reports.tables import build_report_tables

SENTENCE = {
    "nl": r"Van de (\d+) deelnemers gingen er (\d+|minstens \d+) betrouwbaar vooruit, "
    r"(\d+|minder dan 10) bleven gelijk en (\d+|minder dan 10) gingen betrouwbaar achteruit\.",
    "en": r"Of the (\d+) participants, (\d+|at least \d+) improved reliably, "
    r"(\d+|fewer than 10) stayed the same and (\d+|fewer than 10) got reliably worse\.",
}
HEADING = {"nl": "Betrouwbare verandering", "en": "Reliable change"}


@pytest.fixture(scope="module")
def change(panel: pl.DataFrame) -> ReliableChangeDocument:
    primary = {"netwerkcoach": "mhi5", "stamtafel": "mhi5", "kwartiertafel": "qol_grade"}
    return ReliableChangeDocument.from_json(reliable_change_document(panel, primary))


@pytest.fixture(scope="module")
def tables(panel, model, synthesis_model, matthew, validation, files, names, make_matthew_for,
           pooled_document, change):  # fmt: skip
    project = build_report_tables(
        panel, model, matthew, validation, files, project="netwerkcoach",
        project_name=names["netwerkcoach"], instruments=["mhi5", "djg11", "network_map"],
        primary_wellbeing="mhi5", reliable_change=change,
    )  # fmt: skip
    synthesis = build_report_tables(
        panel, synthesis_model, make_matthew_for("all"), None, files, project=None,
        project_names=names, pooled=pooled_document,
        matthew_by_project={p: make_matthew_for(p, role="exploratory") for p in names},
        reliable_change=change,
    )  # fmt: skip
    return {"project": project, "synthesis": synthesis}


def _section(content: dict, lang: str) -> dict:
    return next(s for s in content["sections"] if s["heading"] == HEADING[lang])


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_project_report_has_sentence_table_and_figure(tables, lang) -> None:
    content, figures = project_content(tables["project"], lang)
    section = _section(content, lang)
    kinds = [b["kind"] for b in section["blocks"]]
    assert kinds == ["para", "table", "figure"]
    match = re.search(SENTENCE[lang], section["blocks"][0]["text"])
    assert match is not None, section["blocks"][0]["text"]
    table = section["blocks"][1]
    assert table["rows"][-1][0] in ("Totaal", "Total")
    assert table["rows"][-1][1] == match.group(1)  # the sentence's n is the table's total
    assert len(table["header"]) == 6  # group, n and four classes (MHI-5 has a cut-off)
    assert "Jacobson & Truax 1991" in table["note"]
    svg = figures[FIGURE].decode()
    assert svg.startswith("<?xml") and "<svg" in svg
    # greyscale: no colour other than greys, black and white fills
    fills = set(re.findall(r"fill: ?(#[0-9a-fA-F]{6})", svg))
    assert fills and all(f[1:3] == f[3:5] == f[5:7] for f in fills), fills


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_synthesis_pools_and_names_the_project_without_reliability(tables, names, lang) -> None:
    content, figures = synthesis_content(tables["synthesis"], lang)
    section = _section(content, lang)
    texts = " ".join(b.get("text", "") for b in section["blocks"])
    match = re.search(SENTENCE[lang], texts)
    assert match is not None
    shown = tables["synthesis"].reliable_change
    assert shown is not None and shown.table is not None
    assert int(match.group(1)) == shown.table.values[-1][1]
    assert names["kwartiertafel"] in texts
    assert ("betrouwbaarheid" if lang == "nl" else "reliability") in texts
    assert FIGURE in figures


def test_small_counts_are_hidden_in_the_report_table(tables) -> None:
    shown = tables["project"].reliable_change
    assert shown is not None and shown.table is not None
    for row_values, row_display in zip(shown.table.values, shown.table.display, strict=True):
        for value, display in zip(row_values, row_display, strict=True):
            if isinstance(value, int) and value < 10:
                pytest.fail(f"count {value} shown as {display!r}")
    recorded = [c for c in tables["project"].suppressed if c.table == "reliable_change"]
    assert recorded and len(recorded) == len(shown.table.suppressed)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_rendered_pdf_holds_the_section(tables, tmp_path, lang) -> None:
    info = render_project_report(tables["project"], tmp_path / f"p.{lang}.pdf", lang)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(info.path).pages)
    flat = re.sub(r"\s+", " ", text.replace("\u00ad", "-"))
    assert HEADING[lang] in flat
    assert re.search(SENTENCE[lang], flat) is not None
    assert any(p.name == FIGURE for p in info.figures)
