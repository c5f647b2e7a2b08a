"""The report_tables step: counts, means and retention from the panel, already protected."""

from __future__ import annotations

import json
import math

import polars as pl
import pytest
from scipy import stats

from outcomes.documents import ShownTable
from outcomes.reports.panel_tables import mean_ci
from outcomes.reports.tables import ReportDataError, ReportTables, build_report_tables


@pytest.fixture
def project_tables(model, matthew, validation, files, names):
    def build(panel: pl.DataFrame, **kwargs) -> ReportTables:
        return build_report_tables(
            panel,
            model,
            matthew,
            validation,
            files,
            project="netwerkcoach",
            project_name=names["netwerkcoach"],
            **kwargs,
        )

    return build


def _rows(table: ShownTable | None) -> list[dict]:
    assert table is not None
    return [dict(zip(table.columns, row, strict=True)) for row in table.display]


def test_participants_per_wave_and_group_match_the_panel(panel, project_tables):
    tables = project_tables(panel)
    part = tables.participation
    mine = panel.filter(pl.col("project") == "netwerkcoach")
    for shown in _rows(part):
        at_wave = mine.filter(pl.col("wave") == int(shown["wave"]))
        assert shown["total"] == str(at_wave["participant_id"].n_unique())
        for group in part.groups:
            expected = at_wave.filter(pl.col("network_group") == group)["participant_id"]
            count = expected.n_unique()
            assert shown[group] == (str(count) if count >= 10 else "<10")
    baseline = mine.filter(pl.col("wave") == 0)["participant_id"].n_unique()
    last = mine.filter(pl.col("wave") == 2)["participant_id"].n_unique()
    assert part.values[-1][part.columns.index("pct_total")] == pytest.approx(100 * last / baseline)


def test_small_gender_and_site_groups_are_hidden_with_their_means(panel, project_tables):
    tables = project_tables(panel)
    gender = {row["category"]: row for row in _rows(tables.composition["gender"])}
    assert gender["other"]["n"] == "<10"
    assert gender["other"]["mean"] == "–" and gender["other"]["pct"] == "–"
    # The total is published, so a second gender count is hidden too.
    assert sum(row["n"] in ("<10", "x") for row in gender.values()) >= 2
    site = {row["category"]: row for row in _rows(tables.composition["site"])}
    assert site["Zeist"]["n"] == "<10" and site["Zeist"]["mean"] == "–"
    # Means of large groups stay visible and equal the panel's.
    baseline = panel.filter((pl.col("project") == "netwerkcoach") & (pl.col("wave") == 0))
    amsterdam = baseline.filter(pl.col("site") == "Amsterdam")["wellbeing"].mean()
    assert site["Amsterdam"]["mean"] == f"{amsterdam:.1f}"


def test_threshold_is_passed_through(panel, project_tables):
    tables = project_tables(panel, threshold=5)
    site = {row["category"]: row for row in _rows(tables.composition["site"])}
    assert site["Zeist"]["n"] == "6" and site["Zeist"]["mean"] != "–"
    gender = {row["category"]: row for row in _rows(tables.composition["gender"])}
    assert gender["other"]["n"] == "<5"
    strict = project_tables(panel, threshold=40)
    by_group = strict.outcomes["wellbeing"].by_group
    hidden = [row for row in _rows(by_group) if row["n"] == "<40"]
    assert hidden and all(row["mean"] == "–" for row in hidden)


def test_means_and_intervals_per_wave(panel, project_tables):
    tables = project_tables(panel)
    overall = tables.outcomes["wellbeing"].overall
    values = [dict(zip(overall.columns, r, strict=True)) for r in overall.values]
    wave1 = panel.filter((pl.col("project") == "netwerkcoach") & (pl.col("wave") == 1))
    assert values[1]["mean"] == pytest.approx(wave1["wellbeing"].mean())
    assert values[1]["ci_high"] > values[1]["mean"] > values[1]["ci_low"]
    assert tables.outcomes["loneliness"].column == "loneliness"
    assert tables.outcomes["network"].column == "network_size"


def test_mean_ci_is_the_t_interval():
    values = [1.0, 2.0, 4.0, 7.0]
    n, mean, low, high = mean_ci(values)
    sem = stats.sem(values)
    expected = stats.t.interval(0.95, 3, loc=3.5, scale=sem)
    assert (n, mean) == (4, 3.5)
    assert (low, high) == pytest.approx(expected)
    assert mean_ci([None, 2.0])[2] is None  # type: ignore[list-item]


def test_model_verdict_quality_and_provenance(panel, project_tables, model):
    tables = project_tables(panel)
    assert tables.model is not None and tables.model.slope is not None
    assert tables.model.slope.estimate == model.fixed_effects["years"].estimate
    assert tables.matthew is not None and tables.matthew.primary is not None
    assert tables.matthew.primary.verdict == "matthew"
    assert tables.quality is not None
    assert tables.quality.rows_quarantined == 6
    assert [r.rule for r in tables.quality.rules] == ["bad_date", "item_out_of_range"]
    assert [f.file for f in tables.provenance.files] == [
        "netwerkcoach_T0.csv",
        "netwerkcoach_T1.csv",
        "netwerkcoach_T2.csv",
    ]
    latest = panel.filter(pl.col("project") == "netwerkcoach")["assessed_on"].max()
    assert tables.data_date == latest.isoformat()
    assert tables.report_timestamp.startswith(latest.isoformat())


def test_tables_are_json_without_pseudonyms_and_independent_of_row_order(panel, project_tables):
    tables = project_tables(panel)
    text = json.dumps(tables.to_json())
    for pid in panel["participant_id"].unique().to_list():
        assert pid not in text
    shuffled = project_tables(panel.sample(fraction=1.0, shuffle=True, seed=3))
    assert json.dumps(shuffled.to_json(), sort_keys=True) == json.dumps(
        tables.to_json(), sort_keys=True
    )
    again = ReportTables.from_json(json.loads(text))
    assert again == tables


def test_synthesis_rows_and_pooled(
    panel, synthesis_model, make_matthew_for, files, names, pooled_document
):
    tables = build_report_tables(
        panel,
        synthesis_model,
        make_matthew_for("all"),
        None,
        files,
        project=None,
        project_names=names,
        pooled=pooled_document,
    )
    rows = _rows(tables.projects)
    assert [r["project"] for r in rows] == ["kwartiertafel", "netwerkcoach", "stamtafel", "total"]
    assert rows[-1]["n_start"] == str(panel.filter(pl.col("wave") == 0).height)
    assert [p.outcome for p in tables.pooled] == ["wellbeing_slope", "matthew_interaction"]
    assert tables.pooled[0].i2 == 27.4
    assert tables.model is not None and tables.model.slope is not None
    assert tables.model.slope.estimand == synthesis_model.yearly_change.estimand
    assert tables.projects is not None
    values = dict(zip(tables.projects.columns, tables.projects.values[1], strict=True))
    assert math.isclose(values["slope"], 4.2113)


def test_unusable_inputs_are_clear_errors(panel):
    with pytest.raises(ReportDataError, match="no rows for project"):
        build_report_tables(panel, None, None, None, None, project="elders")
    with pytest.raises(ReportDataError, match="wellbeing"):
        build_report_tables(panel.drop("wellbeing"), None, None, None, None, project=None)
