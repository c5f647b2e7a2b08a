"""The validation report of ``outcomes validate``: the export's own columns and IDs, grouped
problems with what to do, fatal errors in Dutch and English, a stable pseudonym key, and no
export ID in the workspace (docs/architecture.md, "Validation report")."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from outcomes import language
from outcomes.ingest.canonical.meta import GENDER_LABELS, GENDER_LABELS_SHOWN
from outcomes.privacy import pseudonym
from outcomes.validation.report import report_rules
from pipelines.cli import main

KEY = "report-test-key-0123456789abcdef"

SPEC = """\
id: proef
name: Proefproject
export:
  format: csv
{delimiter}participant_id: Respondent
wave:
  column: Meting
assessed_on: Datum
columns:
  Q5_1: mhi5_1
  Q5_2: mhi5_2
  Q5_3: mhi5_3
  Q5_4: mhi5_4
  Q5_5: mhi5_5
instruments: [mhi5]
primary_wellbeing: mhi5
"""


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("OUTCOMES_HOME", str(tmp_path / "workspace"))


def _project(
    tmp_path: Path, *, relabelled: int = 163, delimiter: str = ",", spec_sep: str = ""
) -> list[str]:
    """Write spec and export (``relabelled`` rows answer Q5_1 with 'Heel vaak'); return the
    command line that validates them."""
    spec = tmp_path / "proef.yaml"
    spec.write_text(
        SPEC.format(delimiter=f"  delimiter: '{spec_sep}'\n" if spec_sep else ""),
        encoding="utf-8",
    )
    header = ["Respondent", "Meting", "Datum", "Q5_1", "Q5_2", "Q5_3", "Q5_4", "Q5_5"]
    rows = [delimiter.join(header)]
    for n in range(1, 201):
        first = "Heel vaak" if n <= relabelled else "Soms"
        rows.append(
            delimiter.join(
                [f"RESP-{n:04d}", "0", "01-03-2024", first, "Soms", "Soms", "Vaak", "Nooit"]
            )
        )
    export = tmp_path / "proef.csv"
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return ["validate", str(export), "--project", "proef", "--spec", str(spec)]


def test_a_relabelled_column_gives_one_grouped_line_in_the_exports_terms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = _project(tmp_path)
    assert main([*command, "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert (
        "163 rows: answer 'Heel vaak' in Q5_1 (mhi5_1) is not one of: All of the time, "
        "Most of the time, A good bit of the time, Some of the time, A little of the time, "
        "None of the time; add it to `value_labels` in the spec" in out
    )
    group_lines = [line for line in out.splitlines() if line.startswith("  163 rows:")]
    assert len(group_lines) == 1
    # the first rows name the export's own participant IDs, then how many more
    assert "proef.csv row 2 (ID RESP-0001), proef.csv row 3 (ID RESP-0002)" in out
    assert "… and 158 more" in out
    # row by row: the row and the export's own ID
    assert "  proef.csv row 2 (ID RESP-0001): answer 'Heel vaak' in Q5_1 (mhi5_1)" in out

    assert main([*command]) == 1
    dutch = capsys.readouterr().out
    assert (
        "163 rijen: antwoord 'Heel vaak' in Q5_1 (mhi5_1) is geen van: Voortdurend, Meestal"
        in dutch
    )
    assert "voeg het toe aan `value_labels` in de spec" in dutch


def test_an_unknown_gender_label_lists_the_accepted_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = _project(tmp_path, relabelled=0)
    spec = tmp_path / "proef.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace(
            "  Q5_1: mhi5_1\n", "  Q5_1: mhi5_1\n  sex: gender\n"
        ),
        encoding="utf-8",
    )
    export = tmp_path / "proef.csv"
    lines = export.read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",sex"] + [
        f"{line},{'TRUE' if i % 2 else 'vrouw'}" for i, line in enumerate(lines[1:])
    ]
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main([*command, "--lang", "en"]) == 1
    assert (
        "100 rows: answer 'TRUE' in sex (gender) is not one of: female, male, other, prefer not "
        "to say; add it to `value_labels` in the spec" in capsys.readouterr().out
    )
    assert main(command) == 1
    assert (
        "100 rijen: antwoord 'TRUE' in sex (gender) is geen van: vrouw, man, anders, zeg ik "
        "liever niet;" in capsys.readouterr().out
    )
    # the labels listed are accepted ones
    shown = [label for labels in GENDER_LABELS_SHOWN.values() for label in labels]
    assert all(label in GENDER_LABELS for label in shown)


def test_every_rule_says_what_to_do_in_every_language() -> None:
    rules = report_rules()
    assert {"unknown_label", "out_of_range", "duplicate_submission", "ingest_other"} <= set(rules)
    for lang in language.LANGUAGES:
        for rule in rules:
            assert language.has_word(f"problem_{rule}", lang), (lang, rule)
            assert language.has_word(f"todo_{rule}", lang), (lang, rule)


def test_a_wrong_separator_is_named_in_one_short_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = _project(tmp_path, delimiter=",", spec_sep=";")
    assert main([*command, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: proef.csv: the separator is ',', not ';' as the spec says")
    assert err.count("\n") == 1 and len(err) < 250
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "fout: proef.csv: het scheidingsteken is ',' en niet ';' zoals de spec zegt"
    )


def test_a_fatal_error_is_dutch_or_english_per_lang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = _project(tmp_path)
    command[1] = str(tmp_path / "ontbreekt.csv")
    assert main(command) == 2
    assert capsys.readouterr().err.endswith("ontbreekt.csv: exportbestand niet gevonden\n")
    assert main([*command, "--lang", "en"]) == 2
    assert capsys.readouterr().err.endswith("ontbreekt.csv: export file not found\n")

    # a spec that names a column the export lacks
    command = _project(tmp_path)
    spec = Path(command[5])
    spec.write_text(spec.read_text(encoding="utf-8").replace("Q5_5:", "V5_5:"), encoding="utf-8")
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith("fout: proef.csv: de spec noemt 'V5_5' (columns → mhi5_5; ≈ 'Q5_5')")
    assert main([*command, "--lang", "en"]) == 2
    assert capsys.readouterr().err.startswith("error: proef.csv: the spec names 'V5_5'")


def _pseudonyms(report: Path) -> pl.DataFrame:
    frame = pl.read_excel(report, sheet_name="By row")
    return frame.select(
        pl.col("Participant ID in the export").alias("id"),
        pl.col("Pseudonym (as in the quarantine)").alias("pseudonym"),
    )


def test_the_pseudonym_key_is_the_workspaces_and_stable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = _project(tmp_path, relabelled=3)
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    assert main([*command, "--lang", "en", "--report", str(first)]) == 1
    assert main([*command, "--lang", "en", "--report", str(second)]) == 1
    assert f"Report written: {first}" in capsys.readouterr().out
    one, two = _pseudonyms(first), _pseudonyms(second)
    assert one.height == 3 and one.equals(two)
    for raw, pseudo in one.iter_rows():
        assert pseudo == pseudonym(raw, KEY.encode(), "proef")
    sheets = pl.read_excel(first, sheet_id=0)
    assert list(sheets) == ["Summary", "Problems", "By row"]
    problems = sheets["Problems"]
    assert problems["Rows"].to_list() == [3]
    assert problems["What to do"][0].startswith("add it to `value_labels`")


def test_without_a_key_validate_says_how_to_set_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OUTCOMES_PSEUDONYM_KEY")
    monkeypatch.setenv("OUTCOMES_PSEUDONYM_KEY_FILE", str(tmp_path / "nokey" / "pseudonym.key"))
    command = _project(tmp_path)
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith("fout: Er is geen pseudonimiseringssleutel: zet OUTCOMES_PSEUDONYM_KEY")
    assert main([*command, "--lang", "en"]) == 2
    assert capsys.readouterr().err.startswith("error: There is no pseudonym key")


def test_no_export_id_reaches_the_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = tmp_path / "workspace"
    (workspace / "landing").mkdir(parents=True)
    command = _project(tmp_path, relabelled=5)
    outside = tmp_path / "check.html"
    assert main([*command, "--report", str(outside)]) == 1
    page = outside.read_text(encoding="utf-8")
    assert "RESP-0001" in page and "Heel vaak" in page and "Wat te doen" in page
    inside = workspace / "check.xlsx"
    assert main([*command, "--report", str(inside)]) == 2
    assert "hoort niet in de werkmap" in capsys.readouterr().err
    assert main([*command, "--report", str(tmp_path / "check.pdf")]) == 2
    assert ".xlsx" in capsys.readouterr().err
    written = [p for p in workspace.rglob("*") if p.is_file()]
    assert not inside.exists()
    for path in written:
        assert not re.search(rb"RESP-\d{4}", path.read_bytes()), path
