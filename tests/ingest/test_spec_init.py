"""`outcomes spec init`: a spec drafted from a project's exports.

On the demo exports the draft maps at least 90% of what each hand-written spec maps (same raw
column → same canonical column) and `outcomes validate --spec` reads the exports with it; an
unreadable file stops with exit 2 and one line; doubts are marked `# UNSURE`; identifiers are
found; real tool exports draft without error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from outcomes.cli import main
from outcomes.demo import PROJECT_IDS, write_demo
from outcomes.errors import ExportError
from outcomes.ingest.draft import detect_format, draft_spec, file_pattern_glob, render_draft
from outcomes.specs import default_specs_dir, load_spec

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("draft")
    write_demo(home, n_participants=300)
    return home / "landing"


def _exports(landing: Path, project: str) -> list[Path]:
    return sorted(p for p in (landing / project).iterdir() if p.is_file())


@pytest.mark.parametrize("project", PROJECT_IDS)
def test_demo_draft_maps_what_the_hand_written_spec_maps_and_validates(
    project: str,
    landing: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY", "spec-init-test-key-0123456789")
    files = _exports(landing, project)
    out = tmp_path / f"{project}.yaml"
    args = ["spec", "init", *map(str, files), "--project", project, "--out", str(out)]
    assert main([*args, "--lang", "en"]) == 0
    assert "mapped" in capsys.readouterr().out
    drafted = load_spec(out)
    hand = load_spec(default_specs_dir() / f"{project}.yaml")
    same = [raw for raw, canonical in hand.columns.items() if drafted.columns.get(raw) == canonical]
    assert len(same) >= 0.9 * len(hand.columns), sorted(set(hand.columns) - set(same))
    assert drafted.participant_id == hand.participant_id
    assert drafted.export.format == hand.export.format
    assert set(drafted.instruments) == set(hand.instruments)
    # every identifier the hand-written spec names is named by the draft too (staff included)
    assert set(hand.identifiers) <= set(drafted.identifiers), hand.identifiers
    code = main(["validate", *map(str, files), "--project", project, "--spec", str(out)])
    assert code in (0, 1), capsys.readouterr().err  # read and validated; 2 = unreadable


def test_qualtrics_draft_marks_doubts_and_names_identifiers(landing: Path) -> None:
    draft = draft_spec(_exports(landing, "netwerkcoach"), "netwerkcoach")
    text = render_draft(draft)
    assert "# UNSURE:" in text
    assert draft.notes["name"].startswith("UNSURE")
    assert {"IPAddress", "RecipientEmail", "RecipientLastName"} <= set(draft.data["identifiers"])
    assert draft.data["export"]["pattern"] == "NEN_T*.csv"
    assert draft.data["wave"]["file_pattern"] == "^NEN_T(?P<wave>\\d+)"
    assert draft.data["completed"] == "Finished"
    assert draft.data["primary_wellbeing"] == "mhi5"


def test_identifiers_found_by_name_and_by_values(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        "deelnemer;meting;contact;Naam;MHI 1 zenuwachtig;opmerking\n"
        "P-001;T0;jan@example.nl;Jan Jansen;Soms;gaat goed met hem vandaag\n"
        "P-002;T0;piet@example.nl;Piet Pietersen;Nooit;\n"
        "P-001;T1;jan@example.nl;Jan Jansen;-9;\n",
        encoding="utf-8",
    )
    draft = draft_spec([export], "proef")
    assert draft.data["participant_id"] == "deelnemer"
    assert draft.data["wave"] == {"column": "meting", "labels": {"T0": 0, "T1": 1}}
    assert draft.data["identifiers"] == ["contact", "Naam"]
    assert "values" in draft.notes["identifiers.contact"]
    assert draft.data["columns"] == {"MHI 1 zenuwachtig": "mhi5_1"}
    assert draft.data["free_text"] == ["opmerking"]
    assert draft.data["missing_codes"] == [-9]
    assert draft.data["export"]["delimiter"] == ";"


def test_weak_text_match_is_unsure_with_its_score(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text("respnr,cijfer\nA1,7\nA2,8\n", encoding="utf-8")
    draft = draft_spec([export], "proef")
    assert draft.data["columns"] == {"cijfer": "qol_grade"}
    note = draft.notes["columns.cijfer"]
    assert note.startswith("UNSURE") and "score 0." in note


def test_unreadable_files_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "export.csv"
    garbage.write_bytes(bytes(range(256)) * 40)
    pdf = tmp_path / "report.csv"
    pdf.write_bytes(b"%PDF-1.7\n" + b"\x00" * 100)
    for path in (tmp_path / "missing.csv", garbage, pdf):
        args = ["spec", "init", str(path), "--project", "proef", "--out", "-", "--lang", "en"]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {path.name}") or err.startswith(f"error: {path}")
        assert err.count("\n") == 1 and "Traceback" not in err


def test_existing_file_is_not_overwritten_without_force(
    landing: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "stamtafel.yaml"
    out.write_text("mine\n", encoding="utf-8")
    files = [str(p) for p in _exports(landing, "stamtafel")]
    assert main(["spec", "init", *files, "--project", "stamtafel", "--out", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "mine\n"
    assert "--force" in capsys.readouterr().err
    args = ["spec", "init", *files, "--project", "stamtafel", "--out", str(out), "--force"]
    assert main(args) == 0
    assert load_spec(out).instruments == ["mhi5", "djg6", "network_map", "qol_grade"]


@pytest.mark.parametrize(
    ("files", "fmt"),
    [
        (["qualtrics/sample.csv"], "qualtrics"),
        (["qualtrics/sample_legacy.csv"], "qualtrics"),
        (["limesurvey/survey_100001_R_data_file.csv"], "limesurvey"),
        (["redcap/simple_DATA.csv"], "redcap"),
        (["castor/CastorQOLSurvey.csv"], "castor"),
        (["spss/sample.sav"], "spss"),
    ],
)
def test_real_exports_draft_without_error(files: list[str], fmt: str) -> None:
    paths = [REAL / name for name in files]
    assert detect_format(paths[0])[0] == fmt
    draft = draft_spec(paths, "echt")
    data = yaml.safe_load(render_draft(draft))
    assert data["export"]["format"] == fmt
    assert data["participant_id"] in draft.data["columns"] or data["participant_id"]


def test_file_pattern_glob() -> None:
    assert file_pattern_glob(["NEN_T0_baseline.csv", "NEN_T1.csv"]) == "NEN_T*.csv"
    assert file_pattern_glob(["results-survey461273.csv"]) == "results-survey*.csv"


def test_exports_of_two_tools_are_refused(landing: Path) -> None:
    with pytest.raises(ExportError, match="different tools"):
        draft_spec(_exports(landing, "stamtafel") + _exports(landing, "tijdvoorelkaar"), "gemengd")


def test_a_real_utf16_qualtrics_export_is_drafted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Qualtrics TSV in UTF-16 whose first 64 kB end inside the header: the header is read
    in whole two-byte units, and with no participant number the response ID is proposed."""
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY", "spec-init-test-key-0123456789")
    export = REAL / "qualtrics" / "dummy_data_split_cols.tsv"
    assert export.stat().st_size > 65536
    out = tmp_path / "ospo.yaml"
    args = ["spec", "init", str(export), "--project", "ospo", "--out", str(out), "--lang", "en"]
    assert main(args) == 0, capsys.readouterr().err
    draft = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert draft["export"]["format"] == "qualtrics"
    assert draft["export"]["encoding"] == "utf-16"
    assert draft["export"]["delimiter"] == "\t"
    assert draft["participant_id"] == "ResponseId"
    assert "UNSURE: the tool's response ID" in out.read_text(encoding="utf-8")
    assert {"email_orb_info_email", "stay_in_touch_email"} <= set(draft["identifiers"])
    assert "final_thoughts" in draft["free_text"]
    code = main(["validate", str(export), "--project", "ospo", "--spec", str(out), "--lang", "en"])
    assert code in (0, 1), capsys.readouterr().err  # read and validated; 2 = unreadable


REAL_EXPORTS = sorted(
    p
    for p in REAL.rglob("*")
    if p.is_file() and p.suffix in {".csv", ".tsv", ".sav"} and "Dictionary" not in p.name
)


@pytest.mark.parametrize("export", REAL_EXPORTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_real_export_is_drafted_and_read_with_its_draft(
    export: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY", "spec-init-test-key-0123456789")
    out = tmp_path / "real.yaml"
    args = ["spec", "init", str(export), "--project", "real", "--out", str(out), "--lang", "en"]
    assert main(args) == 0, capsys.readouterr().err
    draft = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert draft["export"]["format"] == export.parent.name  # the tool that wrote it
    code = main(["validate", str(export), "--project", "real", "--spec", str(out)])
    assert code in (0, 1), capsys.readouterr().err  # read and validated; 2 = unreadable


def test_a_column_named_like_age_is_an_age_only_when_its_values_are_ages(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    rows = [("respnr", "inc_age", "leeftijd")] + [
        (f"R{i:03d}", "Yes" if i % 3 else "No", str(30 + i)) for i in range(12)
    ]
    export.write_text("\n".join(";".join(row) for row in rows) + "\n", encoding="utf-8")
    draft = draft_spec([export], "ages")
    assert draft.data["columns"].get("leeftijd") == "age"
    assert "inc_age" not in draft.data["columns"]  # an inclusion criterion answered Yes/No


def test_a_long_question_that_mentions_sex_is_no_gender_question() -> None:
    """LimeSurvey's "… visit any of the following locations/events …? [Sex club]" (a real
    export) is a checkbox, not the participant's gender."""
    export = REAL / "limesurvey" / "survey_100001_R_data_file.csv"
    draft = draft_spec([export], "amsterdam")
    assert "gender" not in draft.data["columns"].values()
