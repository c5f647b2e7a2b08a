"""The summary printed at the end of ``outcomes run`` and ``outcomes demo``: the reports it lists
are the ones the run wrote, in the run's language."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from outcomes import cli
from outcomes.atomic import write_json
from outcomes.documents import FileCounts, ValidationSummary
from outcomes.summary import run_summary_table
from outcomes.workspace import Workspace

PROJECTS = ("netwerkcoach", "stamtafel")


@dataclass
class Outcome:
    succeeded: bool = True
    seconds: float = 1.0
    failure: str | None = None


def _pdf(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.7\n")


def _write_reports(workspace: Workspace, lang: str) -> None:
    for name in (*PROJECTS, "synthesis"):
        _pdf(workspace.reports / f"{name}.{lang}.pdf")


def _earlier_english_run(home: Path) -> Workspace:
    workspace = Workspace(home).ensure()
    for project in PROJECTS:
        summary = ValidationSummary(
            project=project, rows_read=10, rows_valid=9, rows_quarantined=1,
            quarantined_share=0.1, threshold=0.05, passed_threshold=False,
            rules={"out_of_range": 1}, rows_by_rule={"out_of_range": 1},
            files={f"{project}.csv": FileCounts(rows_read=10, rows_valid=9, rows_quarantined=1)},
            duplicate_policy="keep_latest_complete",
        )  # fmt: skip
        write_json(workspace.validation / f"{project}.json", summary.to_json())
    _write_reports(workspace, "en")
    return workspace


def _report_column(table: str) -> list[str]:
    rows = table.split("\n\n")[0].splitlines()[1:]
    return [row.split()[-1] for row in rows]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_summary_lists_the_reports_in_the_runs_language(tmp_path: Path, lang: str) -> None:
    workspace = _earlier_english_run(tmp_path / "ws")
    _write_reports(workspace, lang)
    shown = _report_column(run_summary_table(workspace, lang))
    assert shown == [
        str(workspace.reports / f"{name}.{lang}.pdf") for name in (*PROJECTS, "synthesis")
    ]


def test_summary_shows_a_dash_for_a_report_not_written_in_the_runs_language(
    tmp_path: Path,
) -> None:
    workspace = _earlier_english_run(tmp_path / "ws")
    assert _report_column(run_summary_table(workspace, "nl")) == ["-", "-", "-"]


def test_a_dutch_run_after_an_english_one_prints_the_dutch_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY", "0123456789abcdef" * 4)
    workspace = _earlier_english_run(tmp_path / "ws")

    def materialize(**kwargs: Any) -> Outcome:
        _write_reports(Workspace(Path(kwargs["home"])), kwargs["lang"])
        return Outcome()

    assert cli.main(["run", "--home", str(workspace.home)], materialize=materialize) == 0
    out = capsys.readouterr().out
    assert str(workspace.reports / "netwerkcoach.nl.pdf") in out
    assert str(workspace.reports / "synthesis.nl.pdf") in out
    assert ".en.pdf" not in out
