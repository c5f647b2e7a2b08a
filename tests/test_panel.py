"""Tests of the outcome panel: time since baseline, moderators, groups, status, attrition."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from outcomes.panel import (
    PanelConfig,
    PanelError,
    attrition_table,
    build_panel,
    network_cutoffs_from,
)


def _scored(rows: list[tuple]) -> pl.DataFrame:
    """participant, wave, date, network_size, wellbeing, family, diversity, gender, birth_year."""
    return pl.DataFrame(
        rows,
        schema={
            "participant_id": pl.Utf8,
            "wave": pl.Int64,
            "assessed_on": pl.Date,
            "network_size": pl.Float64,
            "wellbeing": pl.Float64,
            "network_family": pl.Float64,
            "network_diversity": pl.Float64,
            "gender": pl.Utf8,
            "birth_year": pl.Int64,
        },
        orient="row",
    )


D = dt.date


@pytest.fixture
def two_projects() -> dict[str, pl.DataFrame]:
    a = _scored(
        [
            ("a1", 0, D(2024, 1, 1), 2, 50, 1, 2, "female", 1960),
            ("a1", 1, D(2024, 7, 1), 3, 55, 1, 2, None, 1960),
            ("a1", 2, D(2025, 1, 1), 4, 60, 2, 3, None, 1960),
            ("a2", 0, D(2024, 2, 1), 10, 70, 5, 4, "male", 1980),
            ("a2", 1, None, 11, 72, 5, 4, None, 1980),
            ("a3", 0, D(2024, 3, 1), 6, 65, 3, 3, "other", None),
        ]
    )
    b = _scored(
        [
            ("b1", 0, D(2023, 1, 1), 20, 80, 10, 5, "female", 1990),
            ("b1", 1, D(2023, 12, 31), 21, 82, 10, 5, None, 1990),
            ("b2", 1, D(2023, 6, 1), 5, 40, 2, 2, "male", 1970),
        ]
    )
    return {"a": a, "b": b}


def test_months_since_baseline_from_dates(two_projects: dict[str, pl.DataFrame]) -> None:
    panel = build_panel(two_projects).frame
    a1 = panel.filter(pl.col("participant_id") == "a1").sort("wave")
    assert a1["months_since_baseline"].to_list() == pytest.approx(
        [0.0, 182 / (365.25 / 12), 366 / (365.25 / 12)]
    )
    assert a1["years"].to_list() == pytest.approx([m / 12 for m in a1["months_since_baseline"]])


def test_undated_row_gets_its_wave_typical_time(two_projects: dict[str, pl.DataFrame]) -> None:
    built = build_panel(two_projects)
    a2 = built.frame.filter((pl.col("participant_id") == "a2") & (pl.col("wave") == 1))
    a1 = built.frame.filter((pl.col("participant_id") == "a1") & (pl.col("wave") == 1))
    assert a2["months_since_baseline"].item() == pytest.approx(a1["months_since_baseline"].item())
    assert any("without dates" in note for note in built.notes)


def test_baseline_moderators_carry_to_every_wave(two_projects: dict[str, pl.DataFrame]) -> None:
    panel = build_panel(two_projects).frame
    a1 = panel.filter(pl.col("participant_id") == "a1")
    assert a1["network_size_bl"].unique().to_list() == [2.0]
    assert a1["network_family_bl"].unique().to_list() == [1.0]
    assert a1["gender"].unique().to_list() == ["female"]
    assert a1["age_bl"].unique().to_list() == [2024 - 1960]


def test_participant_without_baseline_is_left_out(two_projects: dict[str, pl.DataFrame]) -> None:
    built = build_panel(two_projects)
    assert "b2" not in built.frame["participant_id"].to_list()
    assert any("without a baseline" in note for note in built.notes)


def test_status_per_participant(two_projects: dict[str, pl.DataFrame]) -> None:
    panel = build_panel(two_projects).frame
    status = dict(panel.select("participant_id", "status").unique().iter_rows())
    assert status == {
        "a1": "completer",
        "a2": "dropout",
        "a3": "baseline_only",
        "b1": "completer",
    }


def test_network_groups_by_tertiles_and_by_configuration(
    two_projects: dict[str, pl.DataFrame],
) -> None:
    built = build_panel(two_projects)
    assert built.cutoff_source == "tertiles"
    # sorted baseline sizes 2, 6, 10, 20: the 1/3 and 2/3 quantiles (lower) are 6 and 10
    assert built.network_cutoffs == (6.0, 10.0)
    groups = dict(built.frame.select("participant_id", "network_group").unique().iter_rows())
    assert groups == {"a1": "small", "a3": "small", "a2": "medium", "b1": "large"}

    configured = build_panel(two_projects, PanelConfig(network_cutoffs=(5, 15)))
    groups = dict(configured.frame.select("participant_id", "network_group").unique().iter_rows())
    assert groups == {"a1": "small", "a3": "medium", "a2": "medium", "b1": "large"}
    assert configured.cutoff_source == "configuration"


def test_absent_instruments_are_null_columns(two_projects: dict[str, pl.DataFrame]) -> None:
    panel = build_panel(two_projects).frame
    assert panel["swemwbs"].null_count() == panel.height
    assert panel.schema["lsns6_isolated"] == pl.Boolean


def test_duplicate_wave_is_refused(two_projects: dict[str, pl.DataFrame]) -> None:
    doubled = {"a": pl.concat([two_projects["a"], two_projects["a"].head(1)])}
    with pytest.raises(PanelError, match="two rows for the same wave"):
        build_panel(doubled)


def test_cutoffs_need_baseline_sizes() -> None:
    with pytest.raises(PanelError):
        network_cutoffs_from(pl.Series([None, None], dtype=pl.Float64))


def test_attrition_retention(two_projects: dict[str, pl.DataFrame]) -> None:
    panel = build_panel(two_projects, PanelConfig(network_cutoffs=(5, 15))).frame
    attrition = attrition_table(panel)
    medium = attrition.filter((pl.col("project") == "a") & (pl.col("network_group") == "medium"))
    assert medium.sort("wave")["participants"].to_list() == [2, 1]
    assert medium.sort("wave")["retained"].to_list() == [1.0, 0.5]


def test_network_cutoffs_from_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    from outcomes.stages import panel_config_from_env

    monkeypatch.delenv("OUTCOMES_NETWORK_CUTOFFS", raising=False)
    assert panel_config_from_env().network_cutoffs is None
    monkeypatch.setenv("OUTCOMES_NETWORK_CUTOFFS", "5, 12")
    assert panel_config_from_env().network_cutoffs == (5.0, 12.0)
    for bad in ("5", "12,5", "a,b"):
        monkeypatch.setenv("OUTCOMES_NETWORK_CUTOFFS", bad)
        with pytest.raises(PanelError, match="OUTCOMES_NETWORK_CUTOFFS"):
            panel_config_from_env()
