"""Progress of long steps in the Dagster step's log, and beside it on the runner's terminal."""

from __future__ import annotations

import dagster as dg

from outcomes import progress
from pipelines.definitions import defs
from pipelines.lineage import reports_progress


@dg.asset
@reports_progress
def counted() -> dg.MaterializeResult:
    progress.note("scope all projects")
    with progress.task("bootstrap", 3, "replicates") as task:
        for _ in range(3):
            task.advance()
    return dg.MaterializeResult()


@dg.multi_asset(specs=[dg.AssetSpec("first"), dg.AssetSpec("second")])
@reports_progress
def yielded():
    progress.note("first of two")
    yield dg.MaterializeResult(asset_key="first")
    progress.note("second of two")
    yield dg.MaterializeResult(asset_key="second")


def _messages(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> list[str]:
    return [e.user_message for e in instance.all_logs(result.run_id) if e.user_message]


def test_progress_lines_reach_the_step_log_and_the_reporter_outside() -> None:
    terminal: list[str] = []
    outside = progress.Reporter(write=terminal.append, delay=0.0, interval=0.0)
    with dg.instance_for_test() as instance, progress.reporting(outside):
        result = dg.materialize([counted], instance=instance)
        assert result.success
        logged = _messages(instance, result)
    expected = ["scope all projects", "bootstrap: 1/3 replicates", "bootstrap: 3/3 replicates in"]
    for line in expected:
        assert any(m.startswith(line) for m in logged), (line, logged)
        assert any(t.startswith(line) for t in terminal), (line, terminal)


def test_a_multi_asset_reports_while_it_yields_and_alone_without_a_terminal() -> None:
    with dg.instance_for_test() as instance:
        result = dg.materialize([yielded], instance=instance)
        assert result.success
        logged = _messages(instance, result)
    assert {"first of two", "second of two"} <= set(logged)


def test_every_asset_of_the_code_location_reports_its_progress() -> None:
    graph = defs.resolve_asset_graph()
    for key in graph.materializable_asset_keys:
        compute = graph.assets_def_for_key(key).op.compute_fn.decorated_fn
        assert hasattr(compute, "__wrapped__"), key.to_user_string()


def test_an_asset_function_called_outside_a_run_reports_to_the_reporter_installed() -> None:
    lines: list[str] = []
    with progress.reporting(progress.Reporter(write=lines.append, delay=0.0, interval=0.0)):
        counted()
    assert lines[0] == "scope all projects"
