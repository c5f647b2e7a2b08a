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
    from outcomes.ingest.spec import default_specs_dir, load_spec
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
