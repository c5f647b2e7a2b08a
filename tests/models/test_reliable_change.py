"""Reliable change (docs/architecture.md, "Reliable change"): the RCI of Jacobson & Truax (1991)
by hand, the classes with direction and recovery, the shares and their disclosure control, a
project without reliability, and the classes against plain R arithmetic
(``data/r/reliable_change.R`` → ``data/r/reliable_change_results.json``)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest

from outcomes.documents import ReliableChangeDocument, checked
from outcomes.instruments import INSTRUMENTS, InstrumentError, get_instrument
from outcomes.instruments.base import Cutoff, Reliability
from outcomes.models.reliable_change import (
    classify,
    clinical_bands,
    participant_changes,
    reliable_change_document,
)
from outcomes.reports.reliable_change_tables import shown_reliable_change

R_DIR = Path(__file__).resolve().parent / "data" / "r"
R_RESULTS = json.loads((R_DIR / "reliable_change_results.json").read_text(encoding="utf-8"))


def _panel(rows: list[tuple[str, str, int, str | None, float | None]]) -> pl.DataFrame:
    """Return a panel of (participant, project, wave, network group, mhi5) rows."""
    return pl.DataFrame(
        rows,
        schema={"participant_id": pl.String, "project": pl.String, "wave": pl.Int64,
                "network_group": pl.String, "mhi5": pl.Float64},
        orient="row",
    )  # fmt: skip


# --- the index ----------------------------------------------------------------------------


def test_rci_is_jacobson_truax_by_hand() -> None:
    """Jacobson & Truax (1991): S_E = SD·√(1 − r), S_diff = √(2·S_E²), RCI = (x2 − x1)/S_diff.
    SD 7.5, r = 0.88: S_E = 2.598, S_diff = 3.674; a change from 32 to 21 is RCI = −2.994."""
    reliability = Reliability(0.88, "test-retest", 7.5, "hand")
    s_e = 7.5 * math.sqrt(1 - 0.88)
    assert reliability.standard_error_of_difference() == pytest.approx(math.sqrt(2 * s_e**2))
    assert reliability.standard_error_of_difference() == pytest.approx(3.6742, abs=1e-4)
    assert reliability.reliable_change(32.0, 21.0) == pytest.approx(-2.9938, abs=1e-4)


def test_rci_without_normative_sd_takes_the_given_sd() -> None:
    reliability = Reliability(0.84, "alpha", None, "hand")
    with pytest.raises(InstrumentError, match="standard deviation"):
        reliability.standard_error_of_difference()
    assert reliability.reliable_change(40.0, 60.0, sd=18.0) == pytest.approx(1.9642, abs=1e-4)


def test_declared_reliabilities_have_sources() -> None:
    declared = {k: i.reliability for k, i in INSTRUMENTS.items() if i.reliability is not None}
    assert {"mhi5", "swemwbs", "k10", "phq9", "gad7"} <= set(declared)
    assert INSTRUMENTS["qol_grade"].reliability is None
    for reliability in declared.values():
        assert 0 < reliability.coefficient < 1
        assert "(19" in reliability.source or "(20" in reliability.source


# --- classes ------------------------------------------------------------------------------


def test_mhi5_has_a_two_sided_cutoff_and_phq9_has_none() -> None:
    bands = clinical_bands(get_instrument("mhi5").score_by_column("mhi5"))
    assert bands is not None
    dysfunctional, functional = bands
    assert dysfunctional.contains(59.9) and not dysfunctional.contains(60.0)
    assert functional.contains(60.0)
    assert clinical_bands(get_instrument("phq9").score_by_column("phq9")) is None


def test_classify_direction_and_recovery() -> None:
    bands = (Cutoff("ill", 0, 60, upper_inclusive=False), Cutoff("well", 60, 100))
    assert classify(2.5, 40, 64, True, bands) == "recovered"
    assert classify(2.5, 64, 90, True, bands) == "improved"  # was already on the well side
    assert classify(2.5, 20, 56, True, bands) == "improved"  # did not cross the cut-off
    assert classify(1.96, 40, 64, True, bands) == "unchanged"  # not beyond ±1.96
    assert classify(-2.0, 64, 40, True, bands) == "deteriorated"
    # lower is better (PHQ-9, K10): a decrease is an improvement
    assert classify(-3.0, 18, 6, False) == "improved"
    assert classify(3.0, 6, 18, False) == "deteriorated"
    lower_bands = (Cutoff("high", 10, 27), Cutoff("low", 0, 10, upper_inclusive=False))
    assert classify(-3.0, 18, 6, False, lower_bands) == "recovered"


def test_change_runs_from_baseline_to_the_last_measurement() -> None:
    panel = _panel(
        [("p1", "a", 0, "small", 40.0), ("p1", "a", 1, "small", 80.0),
         ("p1", "a", 2, "small", 44.0),  # last, not best
         ("p2", "a", 0, "large", 50.0), ("p2", "a", 1, "large", 70.0),
         ("p2", "a", 2, "large", None),  # last measured is wave 1
         ("p3", "a", 1, "large", 70.0),  # no baseline
         ("p4", "a", 0, None, 60.0)]  # no later measurement
    )  # fmt: skip
    changes = participant_changes(panel, {"a": "mhi5"})
    assert changes.select("participant_id", "baseline", "last").rows() == [
        ("p1", 40.0, 44.0),
        ("p2", 50.0, 70.0),
    ]


# --- shares, pooling, projects without reliability ----------------------------------------


def _two_projects() -> pl.DataFrame:
    rows: list[tuple[str, str, int, str | None, float | None]] = []
    changes = [(36, 72)] * 12 + [(64, 96)] * 11 + [(60, 64)] * 30 + [(80, 40)] * 3
    for index, (start, end) in enumerate(changes):
        group = ("small", "medium", "large")[index % 3]
        rows += [
            (f"a{index}", "a", 0, group, float(start)),
            (f"a{index}", "a", 1, group, float(end)),
        ]
    rows += [("b1", "b", 0, "small", 50.0), ("b1", "b", 1, "small", 90.0)]
    return _panel(rows)


def test_document_counts_shares_and_not_assessed() -> None:
    panel = _two_projects()
    document = reliable_change_document(panel, {"a": "mhi5", "b": "qol_grade", "c": None},
                                        projects=["a", "b", "c"])  # fmt: skip
    typed = ReliableChangeDocument.from_json(checked(ReliableChangeDocument, document))
    entry = typed.instrument("mhi5")
    assert entry is not None and entry.sd_basis == "baseline_sample" and entry.sd_n == 56
    baselines = [36.0] * 12 + [64.0] * 11 + [60.0] * 30 + [80.0] * 3
    sd = float(pl.Series(baselines).std())
    assert entry.sd == pytest.approx(sd)
    assert entry.s_diff == pytest.approx(sd * math.sqrt(2) * math.sqrt(1 - 0.84))
    project = typed.project("a")
    assert project is not None
    total = project.rows[0]
    assert (total.n, total.recovered, total.improved, total.unchanged, total.deteriorated) == (
        56, 12, 11, 30, 3,
    )  # fmt: skip
    assert total.pct_recovered == pytest.approx(100 * 12 / 56)
    assert [r.network_group for r in project.rows] == ["all", "small", "medium", "large"]
    assert sum(r.n for r in project.rows[1:]) == 56
    assert typed.pooled.projects == ("a",)
    assert typed.pooled.rows[0].n == 56  # b is not pooled
    reasons = {e.project: (e.reason, e.instrument) for e in typed.not_assessed}
    assert reasons == {"b": ("no_reliability", "qol_grade"), "c": ("no_primary_wellbeing", None)}


def test_report_table_hides_small_counts_with_a_complementary_cell() -> None:
    document = ReliableChangeDocument.from_json(
        reliable_change_document(_two_projects(), {"a": "mhi5"}, projects=["a"])
    )
    shown = shown_reliable_change(document, "a", threshold=10)
    assert shown is not None and shown["recovered_possible"] is True
    table = shown["table"]
    columns = table["columns"]
    total = dict(zip(columns, table["display"][-1], strict=True))
    assert (total["network_group"], total["n"], total["deteriorated"]) == ("total", "56", "<10")
    assert total["pct_deteriorated"] == "–"
    hidden_rows = {(c["row"], c["column"]) for c in table["suppressed"]}
    # every line with one small count has a second hidden cell
    for row in range(len(table["display"])):
        counts = [c for c in ("recovered", "improved", "unchanged", "deteriorated", "n")
                  if (row, c) in hidden_rows]  # fmt: skip
        assert len(counts) != 1
    small = dict(zip(columns, table["values"][0], strict=True))
    assert small["network_group"] == "small" and small["n"] == 19
    not_assessed = shown_reliable_change(document, "b", threshold=10)
    assert not_assessed is not None and not_assessed["table"] is None


# --- against R ----------------------------------------------------------------------------


def test_classes_match_r() -> None:
    panel = pl.read_csv(
        R_DIR / "reliable_change_panel.csv",
        schema_overrides={"mhi5": pl.Float64, "gad7": pl.Float64, "network_group": pl.String},
    )
    document = reliable_change_document(panel, {"alpha": "mhi5", "beta": "gad7"})
    typed = ReliableChangeDocument.from_json(document)
    for project, key in (("alpha", "mhi5"), ("beta", "gad7")):
        expected = R_RESULTS["projects"][project]
        entry = typed.instrument(key)
        assert entry is not None
        assert entry.sd == pytest.approx(expected["sd"], rel=1e-12)
        assert entry.s_diff == pytest.approx(expected["s_diff"], rel=1e-12)
        row = next(p for p in typed.projects if p.project == project).rows[0]
        assert row.n == expected["n"]
        for name, count in expected["counts"].items():
            assert getattr(row, name) == count, (project, name)
    ours = participant_changes(panel, {"alpha": "mhi5", "beta": "gad7"})
    theirs = {(p["project"], p["participant_id"]): p for p in R_RESULTS["participants"]}
    assert len(theirs) == ours.height
    for row in ours.iter_rows(named=True):
        expected = theirs[(row["project"], row["participant_id"])]
        assert (row["baseline"], row["last"]) == (expected["baseline"], expected["last"])
        assert row["network_group"] == expected["network_group"]
        entry = typed.instrument(row["instrument"])
        assert entry is not None and entry.s_diff is not None
        rci = (row["last"] - row["baseline"]) / entry.s_diff
        assert rci == pytest.approx(expected["rci"], rel=1e-12)
        bands = clinical_bands(get_instrument(row["instrument"]).score_by_column(entry.score))
        assert (
            classify(rci, row["baseline"], row["last"], entry.higher_is_better, bands)
            == (expected["class"])
        )
