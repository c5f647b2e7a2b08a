"""Tests of ``outcomes.notebook`` on a small workspace: parquet tables written here, the
validation summaries built through their declaration and the analysis documents written by the
analysis itself (docs/architecture.md, "Documents")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from outcomes import notebook as nb
from outcomes.atomic import write_json
from outcomes.documents import DocumentError, FileCounts, ValidationSummary
from outcomes.models.analysis import write_analysis
from outcomes.warehouse import refresh_views
from outcomes.workspace import Workspace


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture(scope="module")
def analysis_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Return model.json, matthew.json and pooled.json of the analysis (no bootstrap, no MDE) of
    two projects of 30 participants at three waves."""
    rng = np.random.default_rng(1)
    rows = []
    for project in ("alpha", "beta"):
        for index in range(30):
            network, start, gain = rng.poisson(8), rng.normal(55, 8), rng.normal(4, 2)
            for wave, months in ((0, 0.0), (1, 6.0), (2, 12.0)):
                rows.append(
                    {
                        "participant_id": f"{project}{index}",
                        "project": project,
                        "wave": wave,
                        "months_since_baseline": months,
                        "network_size_bl": float(network),
                        "wellbeing": float(start + gain * months / 12 + rng.normal(0, 4)),
                    }
                )
    written = write_analysis(
        pl.DataFrame(rows), tmp_path_factory.mktemp("analysis"), n_boot=0, mde=False,
        growth=False, attrition=False, engine="fast",
    )  # fmt: skip
    return {name: written[name] for name in ("model", "matthew", "pooled")}


def _summary(project: str, read: int, valid: int, rules: dict[str, int]) -> ValidationSummary:
    quarantined = read - valid
    return ValidationSummary(
        project=project,
        rows_read=read,
        rows_valid=valid,
        rows_quarantined=quarantined,
        quarantined_share=quarantined / read,
        threshold=0.05,
        passed_threshold=quarantined / read <= 0.05,
        rules={k: v + 1 for k, v in rules.items()},
        rows_by_rule=rules,
        files={
            f"{project}.csv": FileCounts(
                rows_read=read, rows_valid=valid, rows_quarantined=quarantined
            )
        },
        duplicate_policy="keep_latest_complete",
    )


@pytest.fixture
def workspace(tmp_path: Path, analysis_files: dict[str, Path]) -> Workspace:
    """A workspace with two projects whose responses have different columns."""
    ws = Workspace(tmp_path / "ws").ensure()
    alpha = pl.DataFrame(
        {"project": ["alpha"] * 3, "participant_id": ["pa", "pb", "pc"], "mhi5_1": [1.0, 2.0, None]}
    )
    beta = pl.DataFrame(
        {"project": ["beta"] * 2, "participant_id": ["pd", "pe"], "djg6_1": [3.0, 1.0]}
    )
    for name in ("valid_responses", "scored_responses"):
        ws.table(name, "alpha").parent.mkdir(parents=True, exist_ok=True)
        alpha.write_parquet(ws.table(name, "alpha"))
        beta.write_parquet(ws.table(name, "beta"))
    quarantine = pl.DataFrame(
        {
            "project": ["alpha", "alpha"],
            "source_file": ["a.csv", "a.csv"],
            "source_row": [4, 4],
            "rule": ["out_of_range", "unknown_label"],
        }
    )
    ws.table("quarantined_responses", "alpha").parent.mkdir(parents=True, exist_ok=True)
    quarantine.write_parquet(ws.table("quarantined_responses", "alpha"))
    panel = pl.DataFrame(
        {
            "participant_id": ["pa", "pa", "pd"],
            "project": ["alpha", "alpha", "beta"],
            "wave": [0, 1, 0],
            "wellbeing": [50.0, 60.0, 40.0],
        }
    )
    panel.write_parquet(ws.table("outcome_panel"))
    for summary in (
        _summary("alpha", 4, 3, {"out_of_range": 1, "unknown_label": 1}),
        _summary("beta", 2, 2, {}),
    ):
        write_json(ws.validation / f"{summary.project}.json", summary.to_json())
    for path in analysis_files.values():
        shutil.copy(path, ws.analysis / path.name)
    return ws


def test_workspace_comes_from_outcomes_home(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OUTCOMES_HOME", str(workspace.home))
    assert nb.workspace().home == workspace.home
    assert nb.panel().height == 3


def test_workspace_without_tables_names_the_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OUTCOMES_HOME", str(tmp_path / "empty"))
    with pytest.raises(nb.NotMaterialized, match="outcomes demo") as error:
        nb.workspace()
    assert str(tmp_path / "empty") in str(error.value)
    assert nb.workspace(require=False).home == (tmp_path / "empty").resolve()


def test_default_workspace_is_found_from_the_notebooks_folder(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fixture's workspace lives at <tmp>/ws; make it <tmp>/workspace as in a checkout.
    root = workspace.home.parent
    workspace.home.rename(root / "workspace")
    (root / "notebooks").mkdir()
    monkeypatch.delenv("OUTCOMES_HOME", raising=False)
    monkeypatch.chdir(root / "notebooks")
    assert nb.workspace().home == (root / "workspace").resolve()
    assert nb.panel().height == 3
    monkeypatch.chdir(root)
    assert nb.workspace().home == (root / "workspace").resolve()
    monkeypatch.setenv("OUTCOMES_HOME", "workspace")  # explicit: no fallback
    monkeypatch.chdir(root / "notebooks")
    with pytest.raises(nb.NotMaterialized):
        nb.workspace()


def test_load_concatenates_partitions_with_different_columns(workspace: Workspace) -> None:
    both = nb.load("valid_responses", home=workspace)
    assert both.height == 5
    assert sorted(both["project"].unique()) == ["alpha", "beta"]
    assert both.filter(pl.col("project") == "beta")["mhi5_1"].null_count() == 2
    alpha = nb.load("valid_responses", "alpha", home=workspace)
    assert alpha.columns == ["project", "participant_id", "mhi5_1"]


def test_load_filters_an_unpartitioned_table_by_project(workspace: Workspace) -> None:
    assert nb.panel("alpha", home=workspace)["wellbeing"].to_list() == [50.0, 60.0]
    assert nb.load("outcome_panel", home=workspace).height == 3


def test_load_of_a_missing_table_or_partition_says_what_to_run(workspace: Workspace) -> None:
    with pytest.raises(nb.NotMaterialized, match=r"attrition.*outcomes run") as error:
        nb.load("attrition", home=workspace)
    assert "outcome_panel" in str(error.value)  # lists what is there
    with pytest.raises(nb.NotMaterialized, match=r"gamma.*alpha, beta"):
        nb.load("valid_responses", "gamma", home=workspace)


def test_tables_lists_partitions(workspace: Workspace) -> None:
    found = nb.tables(workspace)
    assert found["outcome_panel"] == []
    assert found["valid_responses"] == ["alpha", "beta"]
    assert found["quarantined_responses"] == ["alpha"]


def test_quarantine_is_one_row_per_problem(workspace: Workspace) -> None:
    records = nb.quarantine(home=workspace)
    assert records.height == 2
    assert records.select("source_file", "source_row").unique().height == 1
    with pytest.raises(nb.NotMaterialized):
        nb.quarantine("beta", home=workspace)


def test_validation_summaries(workspace: Workspace) -> None:
    summaries = nb.validation_summaries(home=workspace)
    assert summaries["project"].to_list() == ["alpha", "beta"]
    assert summaries["rows_quarantined"].to_list() == [1, 0]
    assert summaries["passed_threshold"].to_list() == [False, True]
    assert summaries["reconciles"].all()
    alpha = nb.validation("alpha", home=workspace)
    assert alpha.rows_by_rule == {"out_of_range": 1, "unknown_label": 1}
    rules = nb.validation_rules(home=workspace)
    assert rules.rows() == [("alpha", "out_of_range", 1, 2), ("alpha", "unknown_label", 1, 2)]
    files = nb.validation_files(home=workspace)
    assert files["source_file"].to_list() == ["alpha.csv", "beta.csv"]
    assert files["reconciles"].all()


def test_validation_summary_flags_counts_that_do_not_add_up(workspace: Workspace) -> None:
    path = workspace.validation / "beta.json"
    summary = json.loads(path.read_text())
    summary["rows_read"] = 4
    path.write_text(json.dumps(summary))
    summaries = nb.validation_summaries(home=workspace)
    assert summaries.filter(pl.col("project") == "beta")["reconciles"].item() is False


def test_validation_without_results(tmp_path: Path) -> None:
    with pytest.raises(nb.NotMaterialized, match="No validation results"):
        nb.validation_summaries(home=tmp_path)


def test_analysis_results_are_returned_as_written(
    workspace: Workspace, analysis_files: dict[str, Path]
) -> None:
    for name, read in (("model", nb.model), ("matthew", nb.matthew), ("pooled", nb.pooled)):
        assert read(home=workspace) == json.loads(analysis_files[name].read_text()), name
    assert nb.model(home=workspace)["engine"] == "fast"
    matthew = nb.matthew(home=workspace)
    assert [r["project"] for r in matthew["results"]] == ["all", "alpha", "beta"]
    pooled = nb.pooled(home=workspace)["results"]
    assert [(p["outcome"], p["parameter"]) for p in pooled] == [
        ("wellbeing", "slope"),
        ("wellbeing", "interaction"),
    ]
    with pytest.raises(nb.NotMaterialized, match=r"project_effects\.json"):
        nb.project_effects(home=workspace)


def test_an_analysis_document_that_does_not_match_its_declaration_is_refused(
    workspace: Workspace,
) -> None:
    path = workspace.analysis / "matthew.json"
    data = json.loads(path.read_text())
    data["sensitivity"] = {"completers": {"estimate": 0.3, "ci_low": 0.1, "ci_high": 0.5}}
    path.write_text(json.dumps(data))
    with pytest.raises(DocumentError, match=r"matthew\.json: key 'sensitivity' is not declared"):
        nb.matthew(home=workspace)


def test_an_undeclared_analysis_file_is_returned_as_written(workspace: Workspace) -> None:
    _write_json(workspace.analysis / "extra.json", {"note": "added by hand"})
    assert nb.analysis("extra", home=workspace) == {"note": "added by hand"}


def test_as_frame_unions_keys_and_types() -> None:
    frame = nb.as_frame(
        [{"project": "all", "boot_ci_low": None}, {"project": "a", "boot_ci_low": 0.5, "x": 1}]
    )
    assert frame.columns == ["project", "boot_ci_low", "x"]
    assert frame["boot_ci_low"].to_list() == [None, 0.5]
    assert frame["x"].to_list() == [None, 1]
    assert nb.as_frame(None).is_empty()
    assert nb.as_frame([]).is_empty()


def test_as_frame_of_typed_documents() -> None:
    summaries = [_summary("alpha", 4, 3, {"out_of_range": 1}), _summary("beta", 2, 2, {})]
    frame = nb.as_frame(summaries)
    assert frame["project"].to_list() == ["alpha", "beta"]
    assert frame["rows_quarantined"].to_list() == [1, 0]


def test_as_frame_of_named_records() -> None:
    frame = nb.as_frame(
        {
            "completers": {"estimate": 1.0},
            "by_wave": [{"estimate": 2.0}, {"estimate": 3.0}],
            "flag": True,
        }
    )
    assert frame["name"].to_list() == ["completers", "by_wave", "by_wave", "flag"]
    assert frame["estimate"].to_list() == [1.0, 2.0, 3.0, None]
    assert frame["value"].to_list() == [None, None, None, True]


def test_as_frame_of_mixed_json_kinds_shows_them_as_text() -> None:
    settings = {"outcomes": ["wellbeing", "loneliness"], "n_boot": 200, "seed": 1.5, "x": None}
    frame = nb.as_frame(settings)
    assert frame["name"].to_list() == ["outcomes", "n_boot", "seed", "x"]
    assert frame["value"].to_list() == ['["wellbeing", "loneliness"]', "200", "1.5", None]
    numbers = nb.as_frame([{"a": 1}, {"a": 2.5}])
    assert numbers["a"].dtype == pl.Float64


def test_bootstrap_draws_found_with_their_context() -> None:
    matthew = {
        "results": [
            {
                "project": "all",
                "outcome": "wellbeing",
                "moderator": "network_size_bl",
                "bootstrap": {"estimates": [0.1, 0.2, 0.3], "ci": [0.1, 0.3]},
            },
            {
                "project": "a",
                "outcome": "wellbeing",
                "moderator": "network_size_bl",
                "boot_estimates": [1.0, 2.0, 3.0],
            },
            {"project": "b", "estimate": 0.4, "other_list": [1.0, 2.0, 3.0]},
        ],
    }
    draws = nb.bootstrap_draws(matthew, min_draws=3)
    assert draws.group_by("project").len().sort("project").rows() == [("a", 3), ("all", 3)]
    first = draws.filter(pl.col("project") == "all")
    assert first["estimate"].to_list() == [0.1, 0.2, 0.3]
    assert first["replicate"].to_list() == [0, 1, 2]
    assert first["source"][0] == "results[0].bootstrap.estimates"
    assert first["moderator"][0] == "network_size_bl"


def test_bootstrap_draws_empty_when_none_stored() -> None:
    draws = nb.bootstrap_draws({"results": [{"boot_ci_low": 0.1, "boot_ci_high": 0.2}]})
    assert draws.is_empty()
    assert draws.columns == ["project", "outcome", "moderator", "source", "replicate", "estimate"]


def test_sql_reads_the_views_read_only(workspace: Workspace) -> None:
    refresh_views(workspace)
    result = nb.sql(
        "SELECT project, count(*) AS n FROM valid_responses GROUP BY project ORDER BY project",
        home=workspace,
    )
    assert result.rows() == [("alpha", 3), ("beta", 2)]
    with pytest.raises(Exception, match="read-only"):
        nb.sql("CREATE TABLE scratch AS SELECT 1", home=workspace)


def test_sql_without_database_says_what_to_run(workspace: Workspace) -> None:
    with pytest.raises(nb.NotMaterialized, match=r"warehouse\.duckdb.*outcomes demo"):
        nb.sql("SELECT 1", home=workspace)


def test_codebook_for_chosen_projects() -> None:
    text = nb.codebook(projects=["netwerkcoach"])
    assert text.startswith("# Codebook")
    assert "netwerkcoach" in text
    assert "stamtafel" not in text
    with pytest.raises(ValueError, match="no project spec"):
        nb.codebook(projects=["nope"])


def _shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[pl.DataFrame, str, str]]:
    """Capture what ``nb.show`` displays: the frame, its text and its HTML as shown then."""
    import IPython.display

    shown: list[tuple[pl.DataFrame, str, str]] = []
    monkeypatch.setattr(
        IPython.display,
        "display",
        lambda frame: shown.append((frame, str(frame), frame._repr_html_())),
    )
    return shown


def test_show_displays_the_chosen_columns_once_in_one_screen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown = _shown(monkeypatch)
    frame = pl.DataFrame(
        {
            "project": [f"project-{i}" for i in range(60)],
            "estimate": [i / 7 for i in range(60)],
            "p": [2.7e-05] * 60,
            "note": ["a long explanation that goes on and on " * 4] * 60,
            **{f"extra_{i}": list(range(60)) for i in range(20)},
        }
    )
    assert nb.show(frame, ["project", "estimate", "p", "note"]) is None
    assert len(shown) == 1
    displayed, text, html = shown[0]
    assert displayed.columns == ["project", "estimate", "p", "note"]
    assert displayed["estimate"][1] == 0.143
    assert displayed["p"][0] == 2.7e-05
    lines = text.splitlines()
    assert max(map(len, lines)) <= nb.SCREEN_WIDTH
    assert sum("project-" in line for line in lines) == nb.SCREEN_ROWS
    assert html.count("<tr>") == nb.SCREEN_ROWS + 3  # header, dtypes and a row of "…"
    # outside show, the session's own polars configuration is untouched
    assert len(str(frame.select("project", "estimate")).splitlines()) < len(lines)

    nb.show(frame)
    _, text, html = shown[1]
    assert max(map(len, text.splitlines())) <= nb.SCREEN_WIDTH
    header = html.split("</tr>")[0]
    assert header.count("<th>") == nb.SCREEN_COLUMNS + 1  # and a column of "…"


def test_show_names_a_column_the_frame_lacks(monkeypatch: pytest.MonkeyPatch) -> None:
    _shown(monkeypatch)
    with pytest.raises(pl.exceptions.ColumnNotFoundError, match="verdict"):
        nb.show(pl.DataFrame({"project": ["a"]}), ["project", "verdict"])


def test_fields_shows_one_record_long() -> None:
    record = {"n_boot": 200, "seed": 20261122, "p": 2.7e-05, "estimate": 0.19583, "mde": True,
              "outcomes": ["wellbeing", "loneliness"], "note": None}  # fmt: skip
    long = nb.fields(record)
    assert long.columns == ["field", "value"]
    assert dict(long.iter_rows()) == {
        "n_boot": "200",
        "seed": "20261122",
        "p": "2.7e-05",
        "estimate": "0.196",
        "mde": "True",
        "outcomes": '["wellbeing", "loneliness"]',
        "note": None,
    }
    row = pl.DataFrame([{"project": "all", "estimate": 1153.0}])
    assert nb.fields(row).rows() == [("project", "all"), ("estimate", "1153.0")]
    with pytest.raises(ValueError, match="2 rows"):
        nb.fields(pl.concat([row, row]))
