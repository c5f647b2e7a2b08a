"""Determinism, planted defects, dropout, timing and the planted Matthew effect."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from outcomes.demo import PROJECT_IDS, DemoTruth, simulate_panel, write_demo


def _digests(home: Path) -> dict[str, str]:
    return {
        p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file()
    }


def test_same_arguments_give_byte_identical_files(demo_home: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    write_demo(again)
    first, second = _digests(demo_home), _digests(again)
    assert len(first) == 8  # 7 exports + truth.json
    assert first == second


def test_another_seed_gives_other_files(demo_home: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    write_demo(other, seed=7)
    first, second = _digests(demo_home), _digests(other)
    assert len(first) == len(second)
    assert not set(first.values()) & set(second.values())


def test_rerun_with_another_seed_leaves_no_stale_export(tmp_path: Path) -> None:
    write_demo(tmp_path, n_participants=120, seed=1)
    truth = write_demo(tmp_path, n_participants=120, seed=2)
    for project, t in truth.projects.items():
        on_disk = sorted(p.name for p in (tmp_path / "landing" / project).iterdir())
        assert on_disk == sorted(t["files"])
    (tmp_path / "landing" / "stamtafel" / "notes.txt").write_text("kept")
    write_demo(tmp_path, n_participants=120, seed=3)
    assert (tmp_path / "landing" / "stamtafel" / "notes.txt").exists()


def test_default_size_is_fast(tmp_path: Path) -> None:
    write_demo(tmp_path / "warm", n_participants=100)
    start = time.perf_counter()
    write_demo(tmp_path / "timed")
    seconds = time.perf_counter() - start
    assert seconds < 10, f"write_demo took {seconds:.1f} s (target < 3 s on an idle machine)"


def test_size_is_configurable(tmp_path: Path) -> None:
    truth = write_demo(tmp_path, n_participants=200, seed=3)
    counts = {p: t["n_participants"] for p, t in truth.projects.items()}
    assert sum(counts.values()) == 200
    assert max(counts, key=lambda p: counts[p]) == "netwerkcoach"
    with pytest.raises(ValueError, match="at least"):
        write_demo(tmp_path / "tiny", n_participants=20)


def test_truth_file_round_trips(demo_home: Path, truth: DemoTruth) -> None:
    assert truth.n_participants == 1500
    assert set(truth.projects) == set(PROJECT_IDS)
    assert sum(t["n_participants"] for t in truth.projects.values()) == 1500
    for project, t in truth.projects.items():
        assert set(t["fixed_effects"]) == {
            "Intercept",
            "years",
            "network_size_bl_c",
            "years:network_size_bl_c",
        }
        assert {"sd_intercept", "sd_slope", "corr", "sd_residual"} <= set(t["random_effects"])
        assert 3 <= len(t["waves"]) <= 4
        assert t["matthew"]["planted"] is (project == "netwerkcoach")
    assert truth.projects["netwerkcoach"]["fixed_effects"]["years:network_size_bl_c"] > 0


def test_defect_rate_is_one_to_two_percent(truth: DemoTruth) -> None:
    for project, t in truth.projects.items():
        rate = len(t["defects"]) / t["n_rows"]
        assert 0.01 <= rate <= 0.02, f"{project}: defect rate {rate:.3%}"
        kinds = {d["kind"] for d in t["defects"]}
        assert {"duplicate", "out_of_range"} <= kinds
        rows = [(d["file"], d["row"]) for d in t["defects"]]
        assert len(rows) == len(set(rows)), "one defect per row"
    every_kind = {d["kind"] for t in truth.projects.values() for d in t["defects"]}
    assert every_kind == {
        "duplicate",
        "out_of_range",
        "unknown_label",
        "malformed_date",
        "mistyped_id",
    }


def test_defects_sit_where_the_truth_says(demo_home: Path, truth: DemoTruth, raw_rows) -> None:
    for project, t in truth.projects.items():
        for name in t["files"]:
            columns, rows, header_rows = raw_rows(demo_home / "landing" / project / name)
            for defect in (d for d in t["defects"] if d["file"] == name):
                row = rows[defect["row"] - header_rows - 1]
                if defect["kind"] == "duplicate":
                    first = rows[defect["duplicate_of"] - header_rows - 1]
                    answers = [i for i, c in enumerate(columns) if c.startswith(("mhi", "MHI"))]
                    assert [row[i] for i in answers] == [first[i] for i in answers]
                    continue
                value = row[columns.index(defect["column"])]
                planted = defect["value"]
                expected = str(int(planted)) if isinstance(planted, float) else str(planted)
                assert value == expected, (project, defect)
                if defect["kind"] == "mistyped_id":
                    assert value != defect["study_id"]
                    original = defect["study_id"]
                    dropped = {original[:i] + original[i + 1 :] for i in range(len(original))}
                    assert sorted(value) == sorted(original) or value in dropped


def test_small_group_for_disclosure_control(truth: DemoTruth) -> None:
    small = truth.projects["tijdvoorelkaar"]["small_groups"]
    assert {"column": "site", "value": "Haarlem"} in [
        {"column": g["column"], "value": g["value"]} for g in small
    ]
    assert all(g["n_participants"] < 10 for g in small)


@pytest.fixture(scope="module")
def panel() -> pl.DataFrame:
    return simulate_panel()


def test_simulate_panel_is_deterministic(panel: pl.DataFrame) -> None:
    assert panel.equals(simulate_panel())
    assert not panel.equals(simulate_panel(seed=1))


def test_panel_matches_truth_counts(panel: pl.DataFrame, truth: DemoTruth) -> None:
    for project, t in truth.projects.items():
        rows = panel.filter(pl.col("project") == project)
        assert rows.height == t["n_returned"]
        assert rows["study_id"].n_unique() == t["n_participants"]


def test_dropout_is_higher_for_small_networks(panel: pl.DataFrame) -> None:
    people = panel.group_by("project", "study_id").agg(
        pl.col("network_size_bl").first(), pl.col("status").first()
    )
    cut = people["network_size_bl"].quantile(0.25)
    small = people.filter(pl.col("network_size_bl") <= cut)
    rest = people.filter(pl.col("network_size_bl") > cut)
    drop_small = (small["status"] != "completer").mean()
    drop_rest = (rest["status"] != "completer").mean()
    assert drop_small > drop_rest + 0.08, (drop_small, drop_rest)


def test_follow_up_timing_is_irregular(panel: pl.DataFrame) -> None:
    months = panel.filter(pl.col("wave") == 1)["months_since_baseline"]
    assert 5.5 < months.mean() < 8.0
    assert months.std() > 0.8
    assert (panel.filter(pl.col("wave") == 0)["years"] == 0).all()


def test_mhi5_score_tracks_latent_wellbeing(panel: pl.DataFrame) -> None:
    both = panel.drop_nulls("wellbeing")
    difference = both["wellbeing"] - both["wellbeing_latent"].clip(0, 100)
    assert abs(difference.mean()) < 1.5
    assert difference.std() < 7


def _interaction(panel: pl.DataFrame, project: str) -> float:
    """Return the two-stage estimate of years × baseline network size (per-person OLS slopes
    regressed on centred baseline network size)."""
    rows = panel.filter((pl.col("project") == project) & pl.col("wellbeing").is_not_null())
    slopes, sizes = [], []
    for (_,), group in rows.group_by("study_id", maintain_order=True):
        if group.height < 2:
            continue
        x, y = group["years"].to_numpy(), group["wellbeing"].to_numpy()
        slopes.append(np.polyfit(x, y, 1)[0])
        sizes.append(group["network_size_bl_c"][0])
    design = np.column_stack([np.ones(len(sizes)), sizes])
    coefficients, *_ = np.linalg.lstsq(design, np.array(slopes), rcond=None)
    return float(coefficients[1])


def test_matthew_effect_is_planted_in_netwerkcoach_only(
    panel: pl.DataFrame, truth: DemoTruth
) -> None:
    planted = truth.projects["netwerkcoach"]["fixed_effects"]["years:network_size_bl_c"]
    assert abs(_interaction(panel, "netwerkcoach") - planted) < 0.35
    for project in ("kwartiertafel", "tijdvoorelkaar", "samen-oplopen"):
        assert abs(_interaction(panel, project)) < 0.45, project
