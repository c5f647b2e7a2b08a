"""The report's wording follows from the design (docs/architecture.md, "Report wording"):
without a control group it speaks of change, never of what the intervention did; with one, of
effects. The control-group sentence comes from the data, and every verdict sentence quotes the
interval and p-value the verdict came from."""

from __future__ import annotations

import dataclasses
import re

import pytest

from outcomes.documents import ReportTables
from outcomes.documents.sensitivity import BaselineAdjusted, MeasurementErrorCorrection
from outcomes.language import word
from outcomes.reports import matthew_text, project_text, synthesis_text
from outcomes.reports.labels import format_interval, format_p
from outcomes.reports.project_content import project_content
from outcomes.reports.synthesis_content import synthesis_content
from outcomes.reports.tables import build_report_tables

CAUSAL = {
    "nl": ("de interventie zorgde", "effect van de interventie", "de interventie hielp",
           "zou de interventie", "interventie vooral mensen met een klein netwerk helpt"),
    "en": ("the intervention caused", "effect of the intervention", "the intervention helped",
           "the intervention would", "intervention mainly helps"),
}  # fmt: skip

ADJUSTED = BaselineAdjusted(
    formula="change_per_year ~ network_size_bl_c + wellbeing_bl_c + (1 | participant_id)",
    term="network_size_bl_c", inference="Satterthwaite t (lmerTest)", estimate=0.1234, se=0.05,
    df=140.0, t=2.47, p=0.0148, ci_low=0.0246, ci_high=0.2222, n_participants=150,
    n_observations=280, reference="Barnett, van der Pols & Dobson (2005)",
)  # fmt: skip


def _with_design(matthew, design: str, verdict: str = "matthew"):  # type: ignore[no-untyped-def]
    primary, *others = matthew.results
    primary = dataclasses.replace(
        primary, design=design, verdict=verdict, baseline_adjusted=ADJUSTED,
        effect=2.5, effect_ci_low=0.8, effect_ci_high=4.2, effect_p=0.004,
    )  # fmt: skip
    others = [dataclasses.replace(o, design=design) for o in others]
    return dataclasses.replace(matthew, results=(primary, *others))


@pytest.fixture(scope="module")
def designs(panel, model, validation, files, make_matthew_for) -> dict[str, ReportTables]:  # type: ignore[no-untyped-def]
    built = {}
    for design in ("controlled", "uncontrolled"):
        built[design] = build_report_tables(
            panel, model, _with_design(make_matthew_for("netwerkcoach", "matthew"), design),
            validation, files, project="netwerkcoach", project_name="Natuurlijk een Netwerkcoach",
        )  # fmt: skip
    return built


def _texts(tables: ReportTables, lang: str) -> str:
    return " ".join(
        [
            *project_text.project_summary(tables, lang),
            *project_text.methods_text(tables, lang),
            *matthew_text.matthew_explanation(tables.matthew, lang),
        ]
    )


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_without_a_control_group_the_report_speaks_of_change(designs, lang):
    text = _texts(designs["uncontrolled"], lang).lower()
    for phrase in CAUSAL[lang]:
        assert phrase not in text, phrase
    assert ("er was geen controlegroep" if lang == "nl" else "there was no control group") in text
    assert ("verandering, geen effect" if lang == "nl" else "change, not an effect") in text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_with_a_control_group_the_report_speaks_of_effects(designs, lang):
    text = _texts(designs["controlled"], lang).lower()
    assert ("er was een controlegroep" if lang == "nl" else "there was a control group") in text
    assert "geen controlegroep" not in text and "no control group" not in text
    assert ("het effect van de interventie" if lang == "nl" else "effect of the intervention") in (
        text
    )
    # the effect quotes the arm × time difference with its interval and p
    assert format_interval(0.8, 4.2, 1, lang).lower() in text
    assert format_p(0.004, lang) in text


@pytest.mark.parametrize("design", ["controlled", "uncontrolled"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_verdict_sentence_quotes_its_interval_and_p(designs, design, lang):
    tables = designs[design]
    primary = tables.matthew.primary
    interval = format_interval(primary.verdict_ci_low, primary.verdict_ci_high, 2, lang)
    p = format_p(primary.verdict_p, lang)
    sentence = matthew_text.matthew_verdict_sentence(primary, lang)
    assert interval in sentence and p in sentence
    summary = " ".join(project_text.project_summary(tables, lang))
    assert sentence in summary
    # the summary explains the interval and the p-value in plain words
    assert ("p-waarde zegt" if lang == "nl" else "p-value says") in summary


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_baseline_adjusted_result_stands_beside_the_verdict(designs, lang):
    text = " ".join(matthew_text.matthew_explanation(designs["uncontrolled"].matthew, lang))
    assert ("regressie naar het gemiddelde" if lang == "nl" else "regression to the mean") in (
        text.lower()
    )
    assert format_interval(0.0246, 0.2222, 2, lang) in text
    assert format_p(0.0148, lang) in text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_measurement_error_is_a_limitation_and_corrected_when_configured(designs, lang):
    tables = designs["uncontrolled"]
    limits = " ".join(project_text.methods_text(tables, lang))
    assert ("meetfout in de netwerkgrootte" if lang == "nl" else "measurement error") in (
        limits.lower()
    )
    assert "0,80" not in limits and "0.80" not in limits
    primary = dataclasses.replace(
        tables.matthew.primary,
        measurement_error=MeasurementErrorCorrection(
            reliability=0.8, attenuation=0.75, estimate=0.4, se=0.1, ci_low=0.2, ci_high=0.6,
            p=0.001, method="regression calibration",
        ),
    )  # fmt: skip
    corrected = dataclasses.replace(
        tables, matthew=dataclasses.replace(tables.matthew, primary=primary)
    )
    limits = " ".join(project_text.methods_text(corrected, lang))
    assert ("0,80" if lang == "nl" else "0.80") in limits
    assert format_interval(0.2, 0.6, 2, lang) in limits


def _synthesis(panel, synthesis_model, files, names, make_matthew_for, pooled_document,  # type: ignore[no-untyped-def]
               controlled: set[str]) -> ReportTables:  # fmt: skip
    by_project = {}
    for project in names:
        scope = make_matthew_for(project, role="exploratory")
        design = "controlled" if project in controlled else "uncontrolled"
        by_project[project] = dataclasses.replace(
            scope, results=tuple(dataclasses.replace(r, design=design) for r in scope.results)
        )
    return build_report_tables(
        panel, synthesis_model, make_matthew_for("all"), None, files, project=None,
        project_names=names, pooled=pooled_document, matthew_by_project=by_project,
    )  # fmt: skip


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_synthesis_counts_the_projects_with_a_control_group(
    panel, synthesis_model, files, names, make_matthew_for, pooled_document, lang
):
    none = _synthesis(panel, synthesis_model, files, names, make_matthew_for, pooled_document,
                      set())  # fmt: skip
    one = _synthesis(panel, synthesis_model, files, names, make_matthew_for, pooled_document,
                     {"stamtafel"})  # fmt: skip
    k = len(names)
    none_text = " ".join(synthesis_text.synthesis_summary(none, lang))
    one_text = " ".join(synthesis_text.synthesis_summary(one, lang))
    if lang == "nl":
        assert f"Geen van de {k} projecten had een controlegroep" in none_text
        assert f"1 van de {k} projecten had een controlegroep" in one_text
    else:
        assert f"None of the {k} projects had a control group" in none_text
        assert f"1 of the {k} projects had a control group" in one_text
    content, _ = synthesis_content(one, lang)
    methods = [s for s in content["sections"] if s["heading"] == word("methods", lang)]
    items = " ".join(i for b in methods[0]["blocks"] for i in b.get("items", []))
    assert ("1 van de" if lang == "nl" else "1 of the") in items
    assert "Geen van de projecten" not in items and "None of the projects" not in items
    # the synthesis' verdict sentences quote interval and p
    primary = one.matthew.primary
    p = format_p(primary.verdict_p, lang)
    assert re.search(re.escape(p), " ".join(synthesis_text.synthesis_summary(one, lang)))


def test_project_content_carries_the_design_wording(designs):
    content, _ = project_content(designs["uncontrolled"], "nl")
    text = repr(content)
    assert "Er was geen controlegroep" in text
    assert "de interventie zorgde" not in text.lower()


@pytest.mark.parametrize("verdict", ["matthew", "reverse", "no_evidence"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_verdict_claims_an_effect_without_a_control_group(designs, verdict, lang):
    tables = designs["uncontrolled"]
    primary = dataclasses.replace(tables.matthew.primary, verdict=verdict)
    matthew = dataclasses.replace(tables.matthew, primary=primary)
    text = " ".join(matthew_text.matthew_explanation(matthew, lang)).lower()
    for phrase in CAUSAL[lang]:
        assert phrase not in text, phrase
    controlled = dataclasses.replace(primary, design="controlled")
    sentence = matthew_text.matthew_verdict_sentence(controlled, lang).lower()
    assert ("effect van de interventie" if lang == "nl" else "effect of the intervention") in (
        sentence
    )
