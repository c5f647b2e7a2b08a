"""Project specs: a bad spec fails on load with the file, the key and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from outcomes.specs import SpecError, load_spec, load_specs

MINIMAL = {
    "id": "proef",
    "name": "Proefproject",
    "export": {"format": "csv", "pattern": "*.csv"},
    "participant_id": "Deelnemer",
    "wave": {"column": "Meting", "labels": {"T0": 0, "T1": 1}},
    "columns": {"MHI_1": "mhi5_1"},
    "instruments": ["mhi5"],
    "primary_wellbeing": "mhi5",
}


def _write(tmp_path: Path, data: object, name: str = "proef.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_minimal_spec_loads_with_defaults(tmp_path: Path) -> None:
    spec = load_spec(_write(tmp_path, MINIMAL))
    assert spec.id == "proef"
    assert spec.quarantine_threshold == 0.05
    assert spec.wave.labels == {"T0": 0, "T1": 1}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"export": {"format": "sas"}}, "key 'export.format'"),
        ({"wave": {}}, "key 'wave'"),
        ({"primary_wellbeing": "swemwbs"}, "primary_wellbeing 'swemwbs' is not among"),
        ({"columns": {"A": "mhi5_1", "B": "mhi5_1"}}, "both map to 'mhi5_1'"),
        ({"quarantine_threshold": 2}, "key 'quarantine_threshold'"),
        ({"colums": {}}, "key 'colums'"),
    ],
)
def test_bad_spec_names_file_and_key(tmp_path: Path, change: dict, expected: str) -> None:
    path = _write(tmp_path, {**MINIMAL, **change})
    with pytest.raises(SpecError) as raised:
        load_spec(path)
    message = str(raised.value)
    assert str(path) in message
    assert expected in message


def test_file_name_must_match_id(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"named 'other\.yaml'"):
        load_spec(_write(tmp_path, MINIMAL, "other.yaml"))


def test_unreadable_specs(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="not found"):
        load_spec(tmp_path / "missing.yaml")
    bad = tmp_path / "proef.yaml"
    bad.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(SpecError, match="not valid YAML"):
        load_spec(bad)
    bad.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(SpecError, match="must be a mapping"):
        load_spec(bad)


def test_load_specs_sorted_by_id(tmp_path: Path) -> None:
    _write(tmp_path, {**MINIMAL, "id": "zeta"}, "zeta.yaml")
    _write(tmp_path, {**MINIMAL, "id": "alfa"}, "alfa.yaml")
    assert list(load_specs(tmp_path)) == ["alfa", "zeta"]
