"""One metric when pooling (docs/architecture.md, "Pooling across projects"): projects on
different primary instruments are pooled as standardised effects, projects on one instrument in
its points; the spec's ``intervention_type`` is checked; the synthesis by type is written in
Dutch and English."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import yaml

from outcomes.documents import PooledDocument, ReportTables, checked
from outcomes.models.analysis import analyse
from outcomes.models.meta import pool_effects
from outcomes.models.pooling_metric import STANDARDISED
from outcomes.models.simulate import simulate_m1_panel
from outcomes.reports.type_synthesis_text import (
    metric_method_item,
    metric_sentence,
    type_synthesis_sections,
)
from outcomes.specs import SpecError, load_spec

PROJECTS = ("a", "b", "c", "d")
SPECS = Path(__file__).resolve().parents[2] / "data_schemas" / "projects"


@pytest.fixture(scope="module")
def panel() -> pl.DataFrame:
    return simulate_m1_panel(360, seed=9, projects=PROJECTS, matthew=0.2)


def _run(panel: pl.DataFrame, instruments: dict[str, str], types: dict[str, str]) -> dict:
    result = analyse(panel, moderators=("network_size_bl",), n_boot=0, mde=False, models=False,
                     growth=False, attrition=False, primary_instruments=instruments,
                     intervention_types=types)  # fmt: skip
    checked(PooledDocument, result.pooled)
    return {"pooled": result.pooled, "effects": result.project_effects}


def _slope(pooled: dict) -> dict:
    return next(
        p for p in pooled["results"] if p["outcome"] == "wellbeing" and p["parameter"] == "slope"
    )


def _baseline_sd(panel: pl.DataFrame, project: str) -> float:
    first = (
        panel.filter(pl.col("project") == project)
        .sort("months_since_baseline")
        .group_by("participant_id", maintain_order=True)
        .first()
    )
    return float(first.get_column("wellbeing").std())


def test_different_instruments_pool_standardised_effects(panel: pl.DataFrame) -> None:
    instruments = {"a": "mhi5", "b": "mhi5", "c": "swemwbs", "d": "swemwbs"}
    types = {"a": "peer_support", "b": "peer_support", "c": "employment", "d": "employment"}
    run = _run(panel, instruments, types)
    pooled = run["pooled"]
    assert pooled["metric"] == STANDARDISED
    assert "do not share one primary instrument" in pooled["metric_note"]
    rows = [r for r in run["effects"]["projects"] if r["outcome"] == "wellbeing"]
    sds = [_baseline_sd(panel, r["project"]) for r in rows]
    reference = pool_effects([r["slope"] / sd for r, sd in zip(rows, sds, strict=True)],
                             [(r["slope_se"] / sd) ** 2 for r, sd in zip(rows, sds, strict=True)],
                             method="REML")  # fmt: skip
    assert _slope(pooled)["estimate"] == pytest.approx(reference.estimate)
    # the per-project effects stay in wellbeing points: only the pooling metric changes
    assert _slope(pooled)["studies"][0]["estimate"] == pytest.approx(rows[0]["slope"] / sds[0])
    # two types with two projects each: the meta-regression
    assert pooled["intervention_type"]["analysis"] == "meta_regression"
    assert pooled["intervention_type"]["metric"] == STANDARDISED


def test_one_instrument_pools_its_points(panel: pl.DataFrame) -> None:
    types = {"a": "peer_support", "b": "peer_support", "c": "peer_support", "d": "employment"}
    run = _run(panel, dict.fromkeys(PROJECTS, "swemwbs"), types)
    pooled = run["pooled"]
    assert pooled["metric"] == "swemwbs"
    rows = [r for r in run["effects"]["projects"] if r["outcome"] == "wellbeing"]
    # SWEMWBS runs 7–35: one point of wellbeing 0–100 is 28/100 SWEMWBS points
    reference = pool_effects(
        [r["slope"] * 0.28 for r in rows], [(r["slope_se"] * 0.28) ** 2 for r in rows]
    )
    assert _slope(pooled)["estimate"] == pytest.approx(reference.estimate)
    # one type with more than one project: descriptive, no meta-regression
    by_type = pooled["intervention_type"]
    assert by_type["analysis"] == "descriptive" and by_type["meta_regression"] is None
    assert [(t["intervention_type"], t["k"], t["source"]) for t in by_type["types"]] == [
        ("employment", 1, "single"),
        ("peer_support", 3, "pooled"),
    ]


def test_unknown_intervention_type_names_file_and_key(tmp_path: Path) -> None:
    data = yaml.safe_load((SPECS / "netwerkcoach.yaml").read_text())
    data["intervention_type"] = "befriending"
    path = tmp_path / "netwerkcoach.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(SpecError) as raised:
        load_spec(path)
    message = str(raised.value)
    assert str(path) in message
    assert "key 'intervention_type'" in message and "supported_community_engagement" in message


def test_demo_specs_name_their_type() -> None:
    for path in sorted(SPECS.glob("*.yaml")):
        assert load_spec(path).intervention_type is not None, path.name


def _tables(pooled: dict, lang_names: dict[str, str]) -> ReportTables:
    document = PooledDocument.from_json(pooled)
    return ReportTables.from_json(
        {
            "kind": "synthesis", "project": None, "project_name": "", "organisation": None,
            "threshold": 10, "data_date": None, "report_timestamp": "2025-01-01",
            "software_version": "0", "waves": [],
            "participation": {"columns": [], "display": [], "values": [], "suppressed": [],
                              "threshold": 10, "groups": []},
            "composition": {}, "outcomes": {}, "model": {}, "matthew": {}, "quality": {},
            "provenance": {"files": [], "software_version": "0", "data_date": None,
                           "report_timestamp": "2025-01-01"},
            "projects": {}, "pooled": [], "matthew_by_project": [], "suppressed": [],
            "instruments": [], "pooled_metric": document.metric,
            "intervention_type": document.intervention_type.to_json(),
        }
    )  # fmt: skip


def test_synthesis_text_by_type_in_dutch_and_english(panel: pl.DataFrame) -> None:
    types = {"a": "peer_support", "b": "peer_support", "c": "employment", "d": "employment"}
    pooled = _run(panel, {"a": "mhi5", "b": "mhi5", "c": "swemwbs", "d": "swemwbs"}, types)
    tables = _tables(pooled["pooled"], {})
    nl = type_synthesis_sections(tables, {"a": "Project A"}, "nl")
    en = type_synthesis_sections(tables, {"a": "Project A"}, "en")
    assert nl[0]["heading"] == "Verandering per soort aanpak"
    assert en[0]["heading"] == "Change by type of intervention"
    nl_text = " ".join(b["text"] for b in nl[0]["blocks"] if b["kind"] == "para")
    en_text = " ".join(b["text"] for b in en[0]["blocks"] if b["kind"] == "para")
    assert "standaarddeviaties bij de start" in nl_text and "meta-regressie" in nl_text
    assert "standard deviations at the start" in en_text and "meta-regression" in en_text
    assert "F(1; 2)" in nl_text and "F(1, 2)" in en_text
    nl_rows = next(b for b in nl[0]["blocks"] if b["kind"] == "table")["rows"]
    en_rows = next(b for b in en[0]["blocks"] if b["kind"] == "table")["rows"]
    assert [r[0] for r in nl_rows] == ["Werk", "Steun van lotgenoten"]
    assert [r[0] for r in en_rows] == ["Employment", "Peer support"]
    assert en_rows[1][1] == "Project A, b"
    assert "0–100" in metric_method_item(STANDARDISED, "nl")
    assert "never averaged" in metric_method_item(STANDARDISED, "en")


def test_descriptive_synthesis_says_why_in_both_languages(panel: pl.DataFrame) -> None:
    types = {"a": "peer_support", "b": "peer_support", "c": "peer_support", "d": "employment"}
    tables = _tables(_run(panel, dict.fromkeys(PROJECTS, "mhi5"), types)["pooled"], {})
    nl = type_synthesis_sections(tables, {}, "nl")[0]["blocks"]
    en = type_synthesis_sections(tables, {}, "en")[0]["blocks"]
    assert "zonder toets" in nl[1]["text"] and "without a test" in en[1]["text"]
    assert "MHI-5" in metric_sentence("mhi5", "nl") and "MHI-5" in metric_sentence("mhi5", "en")
