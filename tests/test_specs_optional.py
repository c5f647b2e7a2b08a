"""Specs without instruments and single-measurement exports, from the spec to the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from outcomes.errors import SpecError
from outcomes.ingest import ingest_files
from outcomes.instruments import INSTRUMENTS, score_responses
from outcomes.specs import ProjectSpec, load_spec, load_specs, parse_spec
from outcomes.validation import validate_responses

KEY = b"k" * 32
#: Two demo projects whose simulated responses carry wellbeing next to the registration data.
MEASURED = ("netwerkcoach", "stamtafel")


def registration_spec(**overrides: Any) -> dict[str, Any]:
    """Return the YAML data of a registration export: no instruments, one measurement."""
    data: dict[str, Any] = {
        "id": "registratie",
        "name": "Registratie Buurtkamer",
        "export": {"format": "csv", "delimiter": ";"},
        "participant_id": "Client",
        "wave": {"constant": 0},
        "assessed_on": "Datum",
        "default_site": "Utrecht",
        "columns": {"Geslacht": "gender", "Geboortejaar": "birth_year"},
        "value_labels": {"gender": {"V": "female", "M": "male"}},
    }
    data.update(overrides)
    return data


def write_registration(folder: Path, rows: int = 30, bad_gender_row: int | None = None) -> Path:
    """Write ``registratie.csv``: one row per client, a date, gender and year of birth."""
    lines = ["Client;Datum;Geslacht;Geboortejaar"]
    for i in range(rows):
        gender = "Z" if i == bad_gender_row else "VM"[i % 2]
        lines.append(f"C{i:03d};{1 + i % 28:02d}-03-2024;{gender};{1940 + i}")
    path = folder / "registratie.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_spec(folder: Path, data: dict[str, Any]) -> Path:
    import yaml

    path = folder / f"{data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# --- the spec ---------------------------------------------------------------------------------


def test_a_spec_needs_neither_instruments_nor_a_primary_wellbeing_measure() -> None:
    absent = parse_spec(registration_spec())
    assert absent.instruments == []
    assert absent.primary_wellbeing is None
    empty = parse_spec(registration_spec(instruments=[], primary_wellbeing=None))
    assert empty.instruments == [] and empty.primary_wellbeing is None


def test_a_primary_measure_outside_the_instruments_is_refused_naming_file_and_key() -> None:
    with pytest.raises(SpecError) as raised:
        parse_spec(registration_spec(primary_wellbeing="mhi5"), "specs/registratie.yaml")
    message = str(raised.value)
    assert message.startswith("specs/registratie.yaml: invalid project spec")
    assert "primary_wellbeing 'mhi5' is not among instruments []" in message


@pytest.mark.parametrize(
    ("wave", "expected"),
    [
        ({"constant": 0, "column": "Meting"}, "give exactly one of"),
        ({"constant": 1, "date_order": True}, "give exactly one of"),
        ({"constant": -1}, "key 'wave.constant'"),
        ({"constant": "nul"}, "key 'wave.constant'"),
    ],
)
def test_a_constant_wave_is_the_only_wave_rule(wave: dict[str, Any], expected: str) -> None:
    with pytest.raises(SpecError, match=expected) as raised:
        parse_spec(registration_spec(wave=wave), "registratie.yaml")
    assert "registratie.yaml" in str(raised.value)
    assert "'constant'" in str(raised.value) or "wave.constant" in str(raised.value)


def test_the_primary_measure_must_declare_a_wellbeing_score(tmp_path: Path) -> None:
    without = sorted(k for k, i in INSTRUMENTS.items() if i.wellbeing_column is None)
    assert without, "the registry has an instrument without a wellbeing score"
    spec = parse_spec(registration_spec(instruments=[without[0]], primary_wellbeing=without[0]))
    with pytest.raises(SpecError) as raised:
        ingest_files([write_registration(tmp_path)], spec, KEY)
    message = str(raised.value)
    assert "spec registratie: key 'primary_wellbeing'" in message
    assert f"{without[0]!r} declares no wellbeing score" in message
    scored = [k for k, i in INSTRUMENTS.items() if i.wellbeing_column is not None]
    assert f"choose one that does ({', '.join(sorted(scored))})" in message


@pytest.mark.parametrize(
    "primary", sorted(k for k, i in INSTRUMENTS.items() if i.wellbeing_column is not None)
)
def test_every_instrument_with_a_wellbeing_score_can_be_primary(
    tmp_path: Path, primary: str
) -> None:
    from outcomes.codebook import build_codebook

    spec = parse_spec(registration_spec(instruments=[primary], primary_wellbeing=primary))
    ingested = ingest_files([write_registration(tmp_path, rows=3)], spec, KEY)
    scored = score_responses(ingested.responses, spec)
    assert scored["wellbeing"].null_count() == 3  # no item mapped: no score, but no error
    codebook = build_codebook({"registratie": spec})
    assert f"| registratie | `{primary}` | 100 · (" in codebook


# --- ingest and validation --------------------------------------------------------------------


def test_rows_of_a_spec_without_instruments_validate_on_their_own_columns(tmp_path: Path) -> None:
    spec = parse_spec(registration_spec())
    export = write_registration(tmp_path, rows=30, bad_gender_row=4)
    ingested = ingest_files([export], spec, KEY)
    responses = ingested.responses
    assert responses["wave"].to_list() == [0] * 30
    assert responses["site"].unique().to_list() == ["Utrecht"]
    assert ingested.warnings == []
    result = validate_responses(responses, spec, lang="en")
    summary = result.summary
    assert (summary["rows_read"], summary["rows_valid"], summary["rows_quarantined"]) == (30, 29, 1)
    assert "no_items_answered" not in summary["rules"]
    assert result.quarantine["column"].to_list() == ["gender"]
    pandera = validate_responses(responses, spec, lang="en", engine="pandera")
    assert pandera.summary["rows_valid"] == 29


def test_no_items_answered_still_applies_to_a_spec_with_instruments(tmp_path: Path) -> None:
    spec = parse_spec(registration_spec(instruments=["mhi5"], primary_wellbeing="mhi5"))
    ingested = ingest_files([write_registration(tmp_path, rows=12)], spec, KEY)
    result = validate_responses(ingested.responses, spec, lang="en")
    assert result.summary["rows_by_rule"] == {"no_items_answered": 12}


@pytest.mark.parametrize("wave", [0, 2])
def test_a_one_file_export_gets_the_constant_wave(tmp_path: Path, wave: int) -> None:
    spec = parse_spec(registration_spec(wave={"constant": wave}))
    ingested = ingest_files([write_registration(tmp_path, rows=5)], spec, KEY)
    assert ingested.responses["wave"].to_list() == [wave] * 5
    assert ingested.responses["ingest_issues"].list.len().sum() == 0


def test_the_codebook_names_a_constant_wave_and_a_missing_primary_measure() -> None:
    from outcomes.codebook import build_codebook

    spec = parse_spec(registration_spec())
    english = build_codebook({"registratie": spec}, lang="en")
    assert "one measurement, wave 0" in english
    assert "| registratie | none: left out of the models | — |" in english
    assert "geen: buiten de modellen gelaten" in build_codebook({"registratie": spec}, lang="nl")


# --- panel, analysis and report ---------------------------------------------------------------


@pytest.fixture(scope="module")
def specs() -> dict[str, ProjectSpec]:
    demo = load_specs()
    return {**{p: demo[p] for p in MEASURED}, "registratie": parse_spec(registration_spec())}


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory, specs: dict[str, ProjectSpec]) -> pl.DataFrame:
    """The panel of two demo projects and the registration export, through ingest,
    validation and scoring."""
    from outcomes.demo import simulate_panel
    from outcomes.panel import build_panel

    spec = specs["registratie"]
    export = write_registration(tmp_path_factory.mktemp("registratie"), rows=30)
    valid = validate_responses(ingest_files([export], spec, KEY).responses, spec).valid
    simulated = simulate_panel(400, projects=MEASURED)
    scored = {
        project: score_responses(
            simulated.filter(pl.col("project") == project)
            .rename({"study_id": "participant_id"})
            .drop("wellbeing"),
            specs[project],
        )
        for project in MEASURED
    }
    scored["registratie"] = score_responses(valid, spec)
    return build_panel(scored).frame


def test_the_panel_holds_the_registration_rows_with_null_wellbeing(panel: pl.DataFrame) -> None:
    rows = panel.filter(pl.col("project") == "registratie")
    assert rows.height == 30
    assert rows["wellbeing"].null_count() == 30
    assert rows["wave"].unique().to_list() == [0]
    assert rows["gender"].null_count() == 0
    assert panel.filter(pl.col("project") != "registratie")["wellbeing"].null_count() == 0


def test_the_analysis_leaves_the_project_out_with_a_note(panel: pl.DataFrame) -> None:
    from outcomes.models.analysis import analyse

    result = analyse(panel, outcomes=("wellbeing",), moderators=("network_size_bl",), n_boot=0,
                     growth=False, attrition=False, models=False)  # fmt: skip
    (entry,) = result.matthew["left_out"]
    assert entry["project"] == "registratie"
    assert entry["reason"] == "no_wellbeing_values"
    assert "'registratie' has no wellbeing values" in entry["note"]
    assert result.project_effects["left_out"] == [entry]
    assert result.pooled["left_out"] == [entry]
    assert not {s["project"] for s in result.matthew["skipped"]} & {"registratie"}
    assert "registratie" not in {r["project"] for r in result.matthew["results"]}
    assert {r["project"] for r in result.matthew["results"]} >= {"all", *MEASURED}


def test_a_panel_without_any_wellbeing_cannot_be_modelled(panel: pl.DataFrame) -> None:
    from outcomes.models.analysis import analyse
    from outcomes.models.formula import ModelInputError

    only = panel.filter(pl.col("project") == "registratie")
    with pytest.raises(ModelInputError, match=r"no project has wellbeing values.*'registratie'"):
        analyse(only, n_boot=0, growth=False, attrition=False, models=False)


def test_stages_write_the_note_and_the_report_says_why(
    tmp_path: Path, panel: pl.DataFrame, specs: dict[str, ProjectSpec]
) -> None:
    from outcomes import atomic, documents, stages
    from outcomes.documents import MatthewDocument, ModelResult, PooledDocument, ProjectEffects
    from outcomes.reports.project_content import project_content
    from outcomes.reports.synthesis_content import synthesis_content
    from outcomes.workspace import Workspace

    workspace = Workspace(tmp_path)
    atomic.write_parquet(workspace.table(stages.PANEL), panel)
    model = stages.wellbeing_model_stage(workspace)
    assert list(model.metadata["left_out"]) == ["registratie"]
    stages.project_effects_stage(workspace)
    stages.matthew_stage(workspace, n_boot=0)
    stages.pooled_stage(workspace)
    for kind, name in ((ModelResult, "model"), (ProjectEffects, "project_effects"),
                       (MatthewDocument, "matthew"), (PooledDocument, "pooled")):  # fmt: skip
        written = documents.read(kind, workspace.analysis / f"{name}.json")
        assert [e.project for e in written.left_out or ()] == ["registratie"], name
    tables_record = stages.report_tables_stage(workspace, specs)
    tables = documents.read(documents.ReportTables, tables_record.paths["registratie"])
    assert [(e.project, e.reason) for e in tables.left_out or ()] == [
        ("registratie", "no_primary_wellbeing")
    ]
    measured = documents.read(documents.ReportTables, tables_record.paths["netwerkcoach"])
    assert measured.left_out is None
    assert "left_out" not in json.loads(tables_record.paths["netwerkcoach"].read_text())
    for lang, words in (("en", "Registratie Buurtkamer has no primary wellbeing measure"),
                        ("nl", "Registratie Buurtkamer heeft geen primaire maat")):  # fmt: skip
        content, _ = project_content(tables, lang)
        summary = content["sections"][0]["blocks"][0]["paragraphs"]
        assert any(words in p for p in summary), lang
        texts = [b.get("text", "") for s in content["sections"] for b in s["blocks"]]
        assert any(words in t for t in texts), lang
        synthesis = documents.read(documents.ReportTables, tables_record.paths["synthesis"])
        head, _ = synthesis_content(synthesis, lang)
        assert any(words in p for p in head["sections"][0]["blocks"][0]["paragraphs"]), lang


# --- the command line -------------------------------------------------------------------------


def test_outcomes_validate_accepts_a_registration_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.cli import main

    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY", "registration-test-key-0123456789")

    spec = write_spec(tmp_path, registration_spec())
    assert load_spec(spec).wave.constant == 0
    export = write_registration(tmp_path, rows=20)
    command = ["validate", str(export), "--project", "registratie", "--spec", str(spec)]
    assert main([*command, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Validation registratie: 20 rows read, 20 valid, 0 quarantined" in out
    assert "No problems found." in out
    (tmp_path / "bad").mkdir()
    bad = write_registration(tmp_path / "bad", rows=20, bad_gender_row=3)
    assert main(["validate", str(bad), "--project", "registratie", "--spec", str(spec)]) == 1
