"""The demo projects' specs load and account for every raw column of their exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from outcomes.demo import PROJECT_IDS, DemoTruth
from outcomes.demo.design import ITEM_COLUMNS
from outcomes.specs import ProjectSpec, default_specs_dir, load_spec

SPECS = default_specs_dir()


@pytest.mark.parametrize("project", PROJECT_IDS)
def test_spec_loads(project: str) -> None:
    spec = load_spec(SPECS / f"{project}.yaml")
    assert spec.id == project
    assert spec.primary_wellbeing == "mhi5"
    assert spec.quarantine_threshold == 0.05
    assert spec.site is not None or spec.default_site is not None
    assert "gender" in spec.columns.values()
    assert {"female", "male", "other"} <= set(spec.value_labels["gender"].values())


def _accounted(spec: ProjectSpec) -> set[str]:
    named = {spec.participant_id, spec.wave.column, spec.assessed_on, spec.site, spec.completed}
    return (set(spec.columns) | {n for n in named if n} | spec.dropped_columns()) - {None}


@pytest.mark.parametrize("project", PROJECT_IDS)
def test_spec_covers_every_raw_column(
    project: str, demo_home: Path, truth: DemoTruth, raw_rows
) -> None:
    spec = load_spec(SPECS / f"{project}.yaml")
    accounted = _accounted(spec)
    for name in truth.projects[project]["files"]:
        path = demo_home / "landing" / project / name
        assert path.match(spec.export.pattern)
        columns, _, _ = raw_rows(path)
        assert set(columns) - accounted == set(), f"{name}: columns the spec does not mention"
        assert accounted <= set(columns), f"{name}: the spec names columns the file lacks"


@pytest.mark.parametrize("project", PROJECT_IDS)
def test_spec_maps_every_item_of_its_instruments(project: str) -> None:
    spec = load_spec(SPECS / f"{project}.yaml")
    targets = set(spec.columns.values())
    for instrument in spec.instruments:
        assert set(ITEM_COLUMNS[instrument]) <= targets, instrument


def test_value_labels_only_where_projects_deviate() -> None:
    deviating = {
        project: set(load_spec(SPECS / f"{project}.yaml").value_labels) - {"gender", "site"}
        for project in PROJECT_IDS
    }
    assert deviating == {
        "netwerkcoach": {"lsns6"},
        "stamtafel": set(),
        "kwartiertafel": set(),
        "samen-oplopen": {"mhi5", "djg11"},
        "tijdvoorelkaar": {"mhi5"},
    }
