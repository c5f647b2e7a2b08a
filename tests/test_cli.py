"""The ``outcomes`` command: help with examples, exit codes, one-line errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from outcomes.cli import build_parser
from outcomes.demo import write_demo
from pipelines.cli import main

SUBCOMMANDS = ("demo", "run", "validate", "analyse", "report")


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """``outcomes validate`` uses the workspace's pseudonym key, as ``outcomes run`` does."""
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY", "cli-test-key-0123456789abcdef")


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_explains_itself_with_an_example(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main([command, "--help"])
    assert raised.value.code == 0
    out = capsys.readouterr().out
    assert "example" in out
    assert f"outcomes {command}" in out


def test_top_level_help_lists_subcommands() -> None:
    text = build_parser().format_help()
    for command in SUBCOMMANDS:
        assert command in text


@pytest.fixture(scope="module")
def demo_exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("exports")
    write_demo(home, n_participants=300)
    return home / "landing"


def test_validate_exit_codes(
    demo_exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = next((demo_exports / "stamtafel").iterdir())
    # the demo plants defects in every project: rows would be quarantined → exit 1
    assert main(["validate", str(export), "--project", "stamtafel", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "quarantined" in out.lower()

    broken = tmp_path / export.name
    broken.write_bytes(b"PK\x03\x04 this is a zip, not SPSS")
    assert main(["validate", str(broken), "--project", "stamtafel"]) == 2
    err = capsys.readouterr().err
    assert broken.name in err
    assert "Traceback" not in err

    assert main(["validate", str(tmp_path / "missing.sav"), "--project", "stamtafel"]) == 2


def test_validate_clean_export_exits_zero(
    demo_exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Remove the planted defects' rows from a Qualtrics export: then nothing is quarantined."""
    from outcomes.ingest import ingest_file
    from outcomes.specs import default_specs_dir, load_spec
    from outcomes.validation import validate_responses

    spec = load_spec(default_specs_dir() / "netwerkcoach.yaml")
    source = demo_exports / "netwerkcoach" / "NEN_T0_baseline.csv"
    result = validate_responses(ingest_file(source, spec, b"k" * 32).responses, spec)
    bad_rows = set(result.quarantine["source_row"].to_list())
    lines = source.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    clean = tmp_path / source.name
    kept = [line for number, line in enumerate(lines, start=1) if number not in bad_rows]
    clean.write_text("".join(kept), encoding="utf-8-sig")
    capsys.readouterr()
    assert main(["validate", str(clean), "--project", "netwerkcoach"]) == 0


def test_validate_reads_a_follow_up_with_its_baseline(
    demo_exports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Alone, every row of a follow-up export lacks a baseline; read with the baseline export,
    as the pipeline reads a project's exports, only the planted defects remain."""
    baseline = demo_exports / "netwerkcoach" / "NEN_T0_baseline.csv"
    follow_up = demo_exports / "netwerkcoach" / "NEN_T1.csv"
    capsys.readouterr()
    assert main(["validate", str(follow_up), "--project", "netwerkcoach", "--lang", "en"]) == 1
    alone = capsys.readouterr().out
    assert (
        main(
            ["validate", str(baseline), str(follow_up), "--project", "netwerkcoach", "--lang", "en"]
        )
        == 1
    )
    together = capsys.readouterr().out

    def problems(out: str, rule: str) -> int:
        line = next((line for line in out.splitlines() if line.strip().startswith(rule)), "")
        return int(line.split()[1]) if line else 0

    rows = sum(1 for _ in follow_up.open(encoding="utf-8-sig")) - 1
    assert problems(alone, "followup_without_baseline") > rows * 0.9
    assert problems(together, "followup_without_baseline") < rows * 0.1
    assert "None of these files holds a baseline" in alone
    assert "holds a baseline" not in together
    assert "NEN_T0_baseline.csv" in together and "NEN_T1.csv" in together

    # rows are traced by file name: the same name twice is refused, not merged
    copy = tmp_path / follow_up.name
    shutil.copy(follow_up, copy)
    assert main(["validate", str(follow_up), str(copy), "--project", "netwerkcoach"]) == 2
    err = capsys.readouterr().err
    assert "NEN_T1.csv" in err
    assert "Traceback" not in err


def test_run_without_key_stops_with_how_to_set_one(
    demo_exports: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("OUTCOMES_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY_FILE", str(tmp_path / "nokey" / "pseudonym.key"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    home = tmp_path / "ws"
    shutil.copytree(demo_exports / "stamtafel", home / "landing" / "stamtafel")
    assert main(["run", "--home", str(home)]) == 2
    err = capsys.readouterr().err
    assert "OUTCOMES_PSEUDONYM_KEY" in err
    assert "Traceback" not in err
    assert not (home / "warehouse" / "responses").exists()


def test_run_with_empty_landing_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY", "0123456789abcdef" * 4)
    assert main(["run", "--home", str(tmp_path / "ws")]) == 1
    assert "no exports" in capsys.readouterr().err


def test_analyse_needs_only_four_columns(tmp_path: Path) -> None:
    from outcomes.models.simulate import simulate_m1_panel

    panel = simulate_m1_panel(n_participants=150, seed=3)
    minimal = panel.select(
        "participant_id", "months_since_baseline", "network_size_bl", "wellbeing"
    )
    path = tmp_path / "panel.csv"
    minimal.write_csv(path)
    assert main(["analyse", str(path), "--out", str(tmp_path / "out"), "--bootstrap", "20"]) == 0
    model = json.loads((tmp_path / "out" / "model.json").read_text())
    assert model["n_participants"] == 150
    assert "years:network_size_bl_c" in model["fixed_effects"]
    assert json.loads((tmp_path / "out" / "matthew.json").read_text())["results"]


def test_analyse_names_missing_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "panel.csv"
    pl.DataFrame({"participant_id": ["a"], "wellbeing": [50.0]}).write_csv(path)
    assert main(["analyse", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "months_since_baseline" in err and "network_size_bl" in err


def test_the_library_command_line_needs_the_pipeline_for_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from outcomes import cli

    assert cli.main(["run", "--home", str(tmp_path / "ws")]) == 2
    err = capsys.readouterr().err
    assert "pipelines" in err and "Traceback" not in err


def test_the_library_imports_neither_dagster_nor_pipelines() -> None:
    library = Path(__file__).resolve().parents[1] / "src" / "outcomes"
    offenders = [
        f"{path.relative_to(library)}:{number}"
        for path in sorted(library.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.strip().startswith(("import dagster", "from dagster", "import pipelines",
                                    "from pipelines"))
    ]  # fmt: skip
    assert offenders == []


def _user_error_classes() -> list[type[Exception]]:
    """Every error class of the library that tells the user what to fix."""
    from outcomes.cli import UserError
    from outcomes.codebook import CodebookError
    from outcomes.errors import ConfigurationError, ExportError, SpecError
    from outcomes.ingest.canonical import SpecMismatchError
    from outcomes.instruments import InstrumentError
    from outcomes.models.config import AnalysisConfigError
    from outcomes.models.formula import ModelInputError
    from outcomes.panel import PanelError
    from outcomes.privacy import IdentifierColumnError, MissingKeyError
    from outcomes.reports.tables import ReportDataError
    from outcomes.stages import StageInputMissing
    from outcomes.validation import ResponsesStructureError

    return [
        UserError,
        SpecError,
        ExportError,
        SpecMismatchError,
        ConfigurationError,
        MissingKeyError,
        IdentifierColumnError,
        ModelInputError,
        AnalysisConfigError,
        PanelError,
        StageInputMissing,
        ResponsesStructureError,
        InstrumentError,
        CodebookError,
        ReportDataError,
    ]


def test_every_user_error_derives_from_one_base_class() -> None:
    from outcomes.errors import ConfigurationError, ExportError, OutcomesError, SpecError
    from outcomes.ingest import ExportError as IngestExportError
    from outcomes.ingest import SpecError as IngestSpecError
    from outcomes.models.config import AnalysisConfigError
    from outcomes.models.formula import ModelInputError
    from outcomes.privacy import MissingKeyError

    for error_class in _user_error_classes():
        assert issubclass(error_class, OutcomesError), error_class
    # one class each, whichever module a caller imports it from
    assert IngestExportError is ExportError and IngestSpecError is SpecError
    assert issubclass(MissingKeyError, ConfigurationError)
    assert issubclass(AnalysisConfigError, ConfigurationError)
    assert issubclass(AnalysisConfigError, ModelInputError)


@pytest.mark.parametrize("error_class", _user_error_classes(), ids=lambda c: c.__name__)
def test_the_command_line_shows_each_user_error_in_one_line(
    error_class: type[Exception],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from outcomes import cli

    def fail(args: object) -> int:
        raise error_class(f"{error_class.__name__}: what went wrong and how to fix it")

    monkeypatch.setattr(cli, "cmd_report", fail)
    code = cli.main(["report", "--home", str(tmp_path / "ws"), "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"error: {error_class.__name__}: what went wrong and how to fix it\n"
    # in Dutch (the default) an error without Dutch words says it is in English
    assert cli.main(["report", "--home", str(tmp_path / "ws")]) == 2
    assert capsys.readouterr().err == (
        f"fout (alleen in het Engels beschreven): {error_class.__name__}: what went wrong and "
        "how to fix it\n"
    )


def test_a_defect_is_not_shown_as_a_user_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from outcomes import cli

    def fail(args: object) -> int:
        raise ValueError("a bug, not the user's mistake")

    monkeypatch.setattr(cli, "cmd_report", fail)
    with pytest.raises(ValueError, match="a bug"):
        cli.main(["report", "--home", str(tmp_path / "ws")])


def test_real_user_errors_end_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a spec that is not there (SpecError)
    export = tmp_path / "export.csv"
    export.write_text("ID\nA1\n", encoding="utf-8")
    assert main(["validate", str(export), "--project", "no-such-project", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "no-such-project.yaml: project spec not found" in err and "Traceback" not in err

    # an analysis configuration with a mistake (AnalysisConfigError)
    config = tmp_path / "analysis.yaml"
    config.write_text("primary: {method: coin_toss}\n", encoding="utf-8")
    panel = tmp_path / "panel.csv"
    panel.write_text("participant_id,months_since_baseline,network_size_bl,wellbeing\n")
    args = ["analyse", str(panel), "--out", str(tmp_path / "out"), "--config", str(config)]
    code = main([*args, "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2
    assert (
        err == f"error: {config}: key 'primary.method': expected one of 'satterthwaite', "
        "'bootstrap', got 'coin_toss'\n"
    )


_WARNING_SPEC = """\
id: proef
name: Proefproject
export:
  format: csv
  encoding: windows-1252
participant_id: ID
wave:
  column: Meting
assessed_on: Datum
columns:
  M1: mhi5_1
  M2: mhi5_2
  M3: mhi5_3
instruments: [mhi5]
primary_wellbeing: mhi5
"""


def test_validate_prints_the_ingest_warnings_in_the_users_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A column of e-mail addresses the spec does not list is dropped, two MHI-5 items are not
    mapped and the file is UTF-8 although the spec says windows-1252: validate says so."""
    spec = tmp_path / "proef.yaml"
    spec.write_text(_WARNING_SPEC, encoding="utf-8")
    export = tmp_path / "proef.csv"
    rows = ["ID,Meting,Datum,M1,M2,M3,Contact,Opmerking"]
    rows += [f"P{n},0,0{n}-03-2024,1,2,3,p{n}.jansen@example.nl,één" for n in range(1, 6)]
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    command = ["validate", str(export), "--project", "proef", "--spec", str(spec)]

    main([*command, "--lang", "en"])
    english = capsys.readouterr().out
    assert "Ingest warnings:\n" in english
    assert (
        "  proef.csv: column 'Contact' looks like a direct identifier and is not in the spec's "
        "'identifiers'; dropped\n" in english
    )
    assert "  proef.csv: no raw column is mapped to mhi5_4, mhi5_5; left empty\n" in english
    assert "the spec says windows-1252 but the file is UTF-8; read as UTF-8" in english

    main([*command, "--lang", "nl"])
    dutch = capsys.readouterr().out
    assert "Waarschuwingen bij het inlezen:\n" in dutch
    assert "  proef.csv: kolom 'Contact' lijkt een direct identificerend gegeven" in dutch
    assert "  proef.csv: geen kolom van de export is gekoppeld aan mhi5_4, mhi5_5" in dutch
    assert "Ingest warnings" not in dutch
    assert (
        "proef.csv: de spec zegt windows-1252 maar het bestand is UTF-8; gelezen als UTF-8" in dutch
    )


def test_validate_prints_no_warnings_heading_for_a_file_without_warnings(
    demo_exports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = demo_exports / "netwerkcoach" / "NEN_T0_baseline.csv"
    main(["validate", str(export), "--project", "netwerkcoach", "--lang", "en"])
    assert "Ingest warnings" not in capsys.readouterr().out
