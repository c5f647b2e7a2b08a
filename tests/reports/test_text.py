"""Report wording: number formats per language and sentences written from the results."""

from __future__ import annotations

import dataclasses
import re

import pytest

from outcomes import language
from outcomes.documents import ReportTables
from outcomes.reports import labels, matthew_text, project_text, synthesis_text
from outcomes.reports.tables import build_report_tables


def test_number_formats_per_language():
    assert language.format_number(-1.234, 2, "nl") == "−1,23"
    assert language.format_number(-0.004, 2, "en") == "0.00"
    assert language.format_number(2.5, 1, "en", signed=True) == "+2.5"
    assert language.format_number(None, 1, "nl") == "–"
    assert labels.format_interval(0.1, 0.47, 2, "nl") == "0,10 tot 0,47"
    assert labels.format_p(0.0004, "nl") == "p < 0,001"
    assert labels.format_p(0.0213, "en") == "p = 0.021"
    assert language.format_date("2025-05-05", "nl") == "5 mei 2025"
    assert labels.points(0.29, 2, "nl") == "0,29 punt"
    assert labels.points(3.82, 1, "en") == "3.8 points"
    with pytest.raises(language.LanguageError):
        language.check_language("fr")


@pytest.mark.parametrize(
    ("label", "nl", "en"),
    [("low", "weinig", "little"), ("moderate", "matig", "moderate"),
     ("substantial", "substantieel", "substantial"),
     ("considerable", "aanzienlijk", "considerable")],
)  # fmt: skip
def test_heterogeneity_words_come_from_the_i2_label(pooled, label, nl, en):
    # The label decides, not I² itself: 27% labelled "considerable" reads as considerable.
    five = dataclasses.replace(pooled, k=5, df=4, i2_label=label)
    assert f"er {nl} verschil" in synthesis_text.heterogeneity_text(five, "nl")
    assert f"there was {en} variation" in synthesis_text.heterogeneity_text(five, "en")
    assert "I² = 27%, 95%-BI 0 tot 96%" in synthesis_text.heterogeneity_text(five, "nl")


@pytest.fixture(scope="module")
def tables_for(panel, model, validation, files, make_matthew_for):
    def build(verdict: str, mde: float | None = None) -> ReportTables:
        matthew = make_matthew_for("netwerkcoach", verdict)
        primary, *others = matthew.results
        matthew = dataclasses.replace(
            matthew, results=(dataclasses.replace(primary, mde80=mde), *others)
        )
        return build_report_tables(
            panel, model, matthew, validation, files, project="netwerkcoach",
            project_name="Natuurlijk een Netwerkcoach",
        )  # fmt: skip

    return build


def test_no_evidence_is_explained_with_what_it_does_not_mean(tables_for):
    data = tables_for("no_evidence", mde=0.2614)
    nl = " ".join(matthew_text.matthew_explanation(data.matthew, "nl"))
    en = " ".join(matthew_text.matthew_explanation(data.matthew, "en"))
    assert "geen aanwijzing" in nl and "niet aangetoond dat er geen verschil is" in nl
    assert "0,26 punt" in nl
    assert "does not show that there is none" in en and "0.26 point" in en


@pytest.mark.parametrize(
    ("verdict", "nl", "en"),
    [("matthew", "Mattheuseffect", "Matthew effect"),
     ("reverse", "omgekeerde van een Mattheuseffect", "reverse of a Matthew effect")],
)  # fmt: skip
def test_verdict_sentences(tables_for, verdict, nl, en):
    primary = tables_for(verdict).matthew.primary
    assert nl in matthew_text.matthew_verdict_sentence(primary, "nl")
    assert en in matthew_text.matthew_verdict_sentence(primary, "en")


def test_every_number_in_the_summary_comes_from_the_tables(tables_for, model):
    data = tables_for("matthew")
    summary = " ".join(project_text.project_summary(data, "en"))
    numbers = set(re.findall(r"\d+(?:\.\d+)?", summary))
    part = data.participation
    means = data.outcomes["wellbeing"].overall
    mean_index = means.columns.index("mean")
    total_index = part.columns.index("total")
    pct_index = part.columns.index("pct_total")
    slope = model.fixed_effects["years"]
    inter = model.fixed_effects["years:network_size_bl_c"]
    allowed = {
        part.display[0][total_index], part.display[-1][total_index],
        f"{part.values[-1][pct_index]:.0f}", str(data.waves[-1].months),
        f"{means.values[0][mean_index]:.1f}", f"{means.values[-1][mean_index]:.1f}",
        f"{slope.estimate:.1f}", f"{slope.ci_low:.1f}", f"{slope.ci_high:.1f}",
        f"{inter.estimate:.2f}", f"{inter.ci_low:.2f}", f"{inter.ci_high:.2f}",
        "0", "100", "95", "0.05",  # the explanation of a p-value
        f"{data.matthew.primary.verdict_p:.3f}",  # the verdict quotes its p
    }  # fmt: skip
    assert numbers <= allowed, numbers - allowed
