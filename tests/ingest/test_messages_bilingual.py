"""Every error a bad export, spec, instrument file or command line gives is worded in Dutch and
English: real bad inputs give the line the command line prints, in both languages, and every
catalog key the code words an error with exists in both catalogs with the fields it fills."""

from __future__ import annotations

import ast
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import xlsxwriter
import yaml

from outcomes import language
from outcomes.cli import main
from outcomes.errors import OutcomesError, in_language
from outcomes.ingest import ingest_file, ingest_files
from outcomes.ingest.canonical.columns import MAPPABLE_META
from outcomes.ingest.draft import draft_spec
from outcomes.ingest.readers.base import CONTENT_KINDS
from outcomes.ingest.readers.redcap import find_data_dictionary, read_data_dictionary
from outcomes.instruments.loader import (
    default_instruments_dir,
    load_instrument,
    load_library,
    parse_instrument,
)
from outcomes.specs import ExportOptions, load_spec, parse_spec

from .conftest import KEY, fake_registry, make_spec

SOURCE = Path(__file__).resolve().parents[2] / "src" / "outcomes"
HEADER = "ID,Meting,Datum,V1,V2,V3,Vrienden\n"
ROW = "P1,Nulmeting,01-02-2024,Nooit,Soms,Vaak,3\n"


def _write(path: Path, content: bytes | str) -> Path:
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def _ingest(path: Path, **spec: Any) -> None:
    ingest_file(path, make_spec(**spec), KEY, registry=fake_registry())


def _csv(tmp: Path, content: bytes | str, name: str = "export.csv", **spec: Any) -> None:
    _ingest(_write(tmp / name, content), **spec)


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return path


def _xlsx(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    workbook = xlsxwriter.Workbook(path)
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    workbook.close()
    return path


def _instrument(tmp: Path, name: str = "mhi5.yaml", **changes: Any) -> Path:
    data = yaml.safe_load((default_instruments_dir() / "mhi5.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _twice_declared(tmp: Path) -> None:
    for folder in ("a", "b"):
        (tmp / folder).mkdir()
        _instrument(tmp / folder)
    load_library([tmp / "a", tmp / "b"])


def _spec_dict() -> dict[str, Any]:
    return make_spec().model_dump(mode="json", exclude_unset=True)


#: (id, what triggers the error, the English line, the Dutch line); ``{tmp}`` is the test's
#: folder; a line ending in "…" is compared up to there (the rest is the software's own reason)
CASES: list[tuple[str, Callable[[Path], object], str, str]] = [
    (
        "zip_as_csv",
        lambda tmp: _ingest(_zip(tmp / "export.csv")),
        "error: export.csv: the file is a zip archive (an .xlsx workbook is one), not delimited "
        "text as its '.csv' name and the spec say; export it again as CSV",
        "fout: export.csv: het bestand is een zip-archief (zoals een .xlsx-werkmap), geen tekst "
        "met scheidingstekens zoals de naam ('.csv') en de spec zeggen; exporteer het opnieuw "
        "als CSV",
    ),
    (
        "binary_as_csv",
        lambda tmp: _csv(tmp, b"ID,V1\x00\x01\x02\x00\xff" * 20),
        "error: export.csv: the file holds binary data (NUL bytes), not delimited text; "
        "expected a CSV export",
        "fout: export.csv: het bestand bevat binaire gegevens (NUL-bytes), geen tekst met "
        "scheidingstekens; verwacht een CSV-export",
    ),
    (
        "text_as_xlsx",
        lambda tmp: _csv(tmp, HEADER + ROW, "export.xlsx", export={"format": "excel"}),
        "error: export.xlsx: expected an .xlsx workbook (a zip file), found text",
        "fout: export.xlsx: verwacht een .xlsx-werkmap (een zip-bestand), maar het bestand is "
        "tekst",
    ),
    (
        "zip_as_sav",
        lambda tmp: _ingest(_zip(tmp / "export.sav"), export={"format": "spss"}),
        "error: export.sav: expected an SPSS .sav file (starting with $FL2), but the file is a "
        "zip archive (an .xlsx workbook is one)",
        "fout: export.sav: verwacht een SPSS-bestand (.sav, begint met $FL2), maar het bestand "
        "is een zip-archief (zoals een .xlsx-werkmap)",
    ),
    (
        "empty_sav",
        lambda tmp: _csv(tmp, "", "export.sav", export={"format": "spss"}),
        "error: export.sav: the file is empty; expected an SPSS .sav file (starting with $FL2)",
        "fout: export.sav: het bestand is leeg; verwacht een SPSS-bestand (.sav, begint met $FL2)",
    ),
    (
        "binary_as_sav",
        lambda tmp: _csv(tmp, b"\x01\x02\x00\x03" * 8, "export.sav", export={"format": "spss"}),
        "error: export.sav: expected an SPSS .sav file (starting with $FL2), found unrecognised "
        "binary data",
        "fout: export.sav: verwacht een SPSS-bestand (.sav, begint met $FL2), maar het bestand "
        "bevat onbekende binaire gegevens",
    ),
    (
        "sav_cut_off",
        lambda tmp: _csv(tmp, b"$FL2" + b"\x00" * 60, "export.sav", export={"format": "spss"}),
        "error: export.sav: cannot be read as an SPSS .sav file: …",
        "fout: export.sav: kan niet worden gelezen als SPSS-bestand (.sav): …",
    ),
    (
        "zip_as_xlsx",
        lambda tmp: _ingest(_zip(tmp / "export.xlsx"), export={"format": "excel"}),
        "error: export.xlsx: cannot be opened as an .xlsx workbook …",
        "fout: export.xlsx: kan niet worden geopend als .xlsx-werkmap …",
    ),
    (
        "sheet_name",
        lambda tmp: _ingest(
            _xlsx(tmp / "export.xlsx", {"Data": [["ID"], ["P1"]]}),
            export={"format": "excel", "sheet": "Blad9"},
        ),
        "error: export.xlsx: the spec asks for sheet 'Blad9'; the workbook has ['Data']",
        "fout: export.xlsx: de spec vraagt om werkblad 'Blad9'; de werkmap heeft ['Data']",
    ),
    (
        "sheet_number",
        lambda tmp: _ingest(
            _xlsx(tmp / "export.xlsx", {"Data": [["ID"], ["P1"]]}),
            export={"format": "excel", "sheet": 3},
        ),
        "error: export.xlsx: the spec asks for sheet 3 but the workbook has 1 sheets: ['Data']",
        "fout: export.xlsx: de spec vraagt om werkblad 3 maar de werkmap heeft 1 werkbladen: "
        "['Data']",
    ),
    (
        "sheet_empty",
        lambda tmp: _ingest(
            _xlsx(tmp / "export.xlsx", {"Data": [["ID"], ["P1"]], "Leeg": []}),
            export={"format": "excel", "sheet": "Leeg"},
        ),
        "error: export.xlsx: sheet 'Leeg' is empty; expected a header row",
        "fout: export.xlsx: werkblad 'Leeg' is leeg; verwacht een kopregel",
    ),
    (
        "workbook_without_rows",
        lambda tmp: _ingest(
            _xlsx(tmp / "export.xlsx", {"Data": [HEADER.strip().split(",")]}),
            export={"format": "excel"},
        ),
        "error: export.xlsx: the workbook has a header but no data rows; expected at least one row",
        "fout: export.xlsx: de werkmap heeft een kopregel maar geen rijen met gegevens; "
        "verwacht minstens één rij",
    ),
    (
        "header_empty",
        lambda tmp: _csv(tmp, ",,,\nP1,a,b,c\n"),
        "error: export.csv: row 1: the header row is empty",
        "fout: export.csv: rij 1: de kopregel is leeg",
    ),
    (
        "mapped_column_twice",
        lambda tmp: _csv(tmp, HEADER.replace("V2", "V1") + ROW),
        "error: export.csv: row 1: column 'V1' appears twice in the header (positions 4 and 5) "
        "and the spec maps it; expected unique column names — rename one of them in the export",
        "fout: export.csv: rij 1: kolom 'V1' staat twee keer in de kopregel (posities 4 en 5) "
        "en de spec koppelt hem; verwacht unieke kolomnamen — hernoem er een in de export",
    ),
    (
        "encoding_name",
        lambda tmp: _csv(tmp, HEADER + ROW.replace("Vaak", "Vaak é"), export={"encoding": "x-9"}),
        "error: export.csv: unknown encoding 'x-9' in the spec",
        "fout: export.csv: onbekende codering 'x-9' in de spec",
    ),
    (
        "header_row_missing",
        lambda tmp: _csv(tmp, HEADER + ROW, export={"header_row": 5}),
        "error: export.csv: found 2 rows but the header is expected in row 6",
        "fout: export.csv: 2 rijen gevonden, maar de kopregel wordt verwacht in rij 6",
    ),
    (
        "too_many_fields",
        lambda tmp: _csv(tmp, HEADER + ROW + ROW.strip() + ",extra\n"),
        "error: export.csv: row 3: found 8 fields, expected 7 as in the header (a stray "
        "delimiter ',' or quote?)",
        "fout: export.csv: rij 3: 8 velden gevonden, verwacht 7 zoals in de kopregel (een los "
        "scheidingsteken ',' of aanhalingsteken?)",
    ),
    (
        "quote_open",
        lambda tmp: _csv(tmp, HEADER + ROW + 'P2,Nulmeting,01-02-2024,"Nooit'),
        "error: export.csv: row 3: a quoted field is not closed — the file looks cut off "
        "(truncated) or holds an unbalanced quote; export it again",
        "fout: export.csv: rij 3: een veld tussen aanhalingstekens wordt niet gesloten — het "
        "bestand lijkt afgebroken of bevat een los aanhalingsteken; exporteer het opnieuw",
    ),
    (
        "truncated",
        lambda tmp: _csv(tmp, HEADER + ROW + ROW + "P3,Nulmeting,01-0"),
        "error: export.csv: row 4: found 3 of the 7 fields of the header — the file looks cut "
        "off (truncated); export it again",
        "fout: export.csv: rij 4: 3 van de 7 velden van de kopregel gevonden — het bestand lijkt "
        "afgebroken; exporteer het opnieuw",
    ),
    (
        "redcap_not_dictionary",
        lambda tmp: read_data_dictionary(_write(tmp / "dict.csv", "Naam,Type\na,text\n")),
        "error: dict.csv: not a REDCap data dictionary; expected a 'Variable / Field Name' column",
        "fout: dict.csv: geen REDCap-datawoordenboek; verwacht een kolom 'Variable / Field Name'",
    ),
    (
        "redcap_dictionary_missing",
        lambda tmp: find_data_dictionary(
            _write(tmp / "records.csv", HEADER),
            ExportOptions(format="redcap", data_dictionary="dd_*.csv"),
        ),
        "error: records.csv: the spec's data dictionary 'dd_*.csv' is not in {name}/; expected "
        "the REDCap data dictionary CSV beside the records",
        "fout: records.csv: het datawoordenboek 'dd_*.csv' uit de spec staat niet in {name}/; "
        "verwacht het REDCap-datawoordenboek (CSV) naast de records",
    ),
    (
        "no_exports",
        lambda tmp: ingest_files([], make_spec(), KEY, registry=fake_registry()),
        "error: no export files given; expected at least one export",
        "fout: geen exportbestanden opgegeven; verwacht minstens één export",
    ),
    (
        "unknown_instrument",
        lambda tmp: _csv(tmp, HEADER + ROW, instruments=["mood", "nope"]),
        "error: spec testproj: key 'instruments': unknown instrument 'nope'; expected one of "
        "['counts', 'mood']",
        "fout: spec testproj: sleutel 'instruments': onbekend instrument 'nope'; verwacht een "
        "van ['counts', 'mood']",
    ),
    (
        "primary_without_wellbeing",
        lambda tmp: _csv(tmp, HEADER + ROW, primary_wellbeing="counts"),
        "error: spec testproj: key 'primary_wellbeing': instrument 'counts' declares no "
        "wellbeing score; choose one that does (mood) or leave the key out",
        "fout: spec testproj: sleutel 'primary_wellbeing': instrument 'counts' heeft geen "
        "welzijnsscore; kies er een die dat wel heeft (mood) of laat de sleutel weg",
    ),
    (
        "participant_id_in_columns",
        lambda tmp: _csv(tmp, HEADER + ROW, columns={"V1": "mood_1", "Nr": "participant_id"}),
        "error: spec testproj: key 'columns.Nr': the participant ID column is given by "
        "'participant_id' ('ID'), not by 'columns'",
        "fout: spec testproj: sleutel 'columns.Nr': de kolom met het deelnemer-ID staat bij "
        "'participant_id' ('ID'), niet bij 'columns'",
    ),
    (
        "column_target_unknown",
        lambda tmp: _csv(tmp, HEADER + ROW, columns={"V1": "stemming"}),
        "error: spec testproj: key 'columns.V1': 'stemming' is neither an item of the "
        f"instruments ['mood', 'counts'] nor one of {list(MAPPABLE_META)}",
        "fout: spec testproj: sleutel 'columns.V1': 'stemming' is geen item van de instrumenten "
        f"['mood', 'counts'] en ook niet een van {list(MAPPABLE_META)}",
    ),
    (
        "birth_date_and_year",
        lambda tmp: _csv(tmp, HEADER + ROW, columns={"V1": "birth_date", "V2": "birth_year"}),
        "error: spec testproj: key 'columns': map either birth_date or birth_year",
        "fout: spec testproj: sleutel 'columns': koppel óf birth_date óf birth_year",
    ),
    (
        "identifier_mapped",
        lambda tmp: _csv(
            tmp,
            HEADER.replace("V1", "Email") + ROW,
            columns={"Email": "mood_1", "V2": "mood_2", "V3": "mood_3"},
        ),
        "error: export.csv: column 'Email' is mapped by the spec but its name look like e-mail "
        "(a direct identifier); identifiers never enter the warehouse — list it under "
        "'identifiers' in the spec and do not map it",
        "fout: export.csv: kolom 'Email' wordt door de spec gekoppeld, maar de naam wijst op een "
        "direct identificerend gegeven (e-mail); zulke gegevens komen nooit in het warehouse — "
        "zet de kolom onder 'identifiers' in de spec en koppel hem niet",
    ),
    (
        "draft_pdf",
        lambda tmp: draft_spec([_write(tmp / "export.csv", b"%PDF-1.7\n" + b"\x00" * 99)], "p"),
        "error: export.csv: the file is a PDF document, not a survey export; expected a CSV, "
        "TSV, .xlsx or .sav export",
        "fout: export.csv: het bestand is een pdf-document, geen export van een vragenlijst; "
        "verwacht een CSV-, TSV-, .xlsx- of .sav-export",
    ),
    (
        "draft_binary",
        lambda tmp: draft_spec([_write(tmp / "export.csv", bytes(range(256)) * 4)], "p"),
        "error: export.csv: the file holds binary data, not a survey export; expected a CSV, "
        "TSV, .xlsx or .sav export",
        "fout: export.csv: het bestand bevat binaire gegevens, geen export van een vragenlijst; "
        "verwacht een CSV-, TSV-, .xlsx- of .sav-export",
    ),
    (
        "draft_empty",
        lambda tmp: draft_spec([_write(tmp / "export.csv", "\n")], "p"),
        "error: export.csv: the file is empty; expected a survey export",
        "fout: export.csv: het bestand is leeg; verwacht een export van een vragenlijst",
    ),
    (
        "draft_one_column",
        lambda tmp: draft_spec([_write(tmp / "export.csv", "ID\nP1\n")], "p"),
        "error: export.csv: the first row holds fewer than two column names; expected a survey "
        "export with a header row",
        "fout: export.csv: de eerste rij bevat minder dan twee kolomnamen; verwacht een export "
        "van een vragenlijst met een kopregel",
    ),
    (
        "draft_missing",
        lambda tmp: draft_spec([tmp / "missing.csv"], "p"),
        "error: {tmp}/missing.csv: export file not found",
        "fout: {tmp}/missing.csv: exportbestand niet gevonden",
    ),
    (
        "draft_project_id",
        lambda tmp: draft_spec([tmp / "missing.csv"], "Mijn Project"),
        "error: project id 'Mijn Project': expected lower-case letters, digits and '-', "
        "starting with a letter (e.g. 'netwerkcoach')",
        "fout: project-id 'Mijn Project': verwacht kleine letters, cijfers en '-', beginnend met "
        "een letter (bijv. 'netwerkcoach')",
    ),
    (
        "draft_no_exports",
        lambda tmp: draft_spec([], "p"),
        "error: no export files given",
        "fout: geen exportbestanden opgegeven",
    ),
    (
        "spec_not_mapping",
        lambda tmp: parse_spec(["id"], "specs/p.yaml"),
        "error: specs/p.yaml: a project spec must be a mapping of keys, got list",
        "fout: specs/p.yaml: een projectspec moet een mapping van sleutels zijn, gevonden: list",
    ),
    (
        "spec_invalid",
        lambda tmp: parse_spec({**_spec_dict(), "quarantine_threshold": 2}, "specs/p.yaml"),
        "error: specs/p.yaml: invalid project spec\n  key 'quarantine_threshold': expected a "
        "number of at most 1, got 2",
        "fout: specs/p.yaml: ongeldige projectspec\n  sleutel 'quarantine_threshold': verwacht "
        "een getal van hoogstens 1, gevonden: 2",
    ),
    (
        "spec_id_file",
        lambda tmp: parse_spec(_spec_dict(), "specs/other.yaml"),
        "error: specs/other.yaml: key 'id' is 'testproj' but the file is named 'other.yaml'",
        "fout: specs/other.yaml: sleutel 'id' is 'testproj' maar het bestand heet 'other.yaml'",
    ),
    (
        "spec_not_found",
        lambda tmp: load_spec(tmp / "p.yaml"),
        "error: {tmp}/p.yaml: project spec not found",
        "fout: {tmp}/p.yaml: projectspec niet gevonden",
    ),
    (
        "spec_not_utf8",
        lambda tmp: load_spec(_write(tmp / "p.yaml", b"id: caf\xe9\n")),
        "error: {tmp}/p.yaml: project spec is not UTF-8 text",
        "fout: {tmp}/p.yaml: projectspec is geen UTF-8-tekst",
    ),
    (
        "spec_not_yaml",
        lambda tmp: load_spec(_write(tmp / "p.yaml", "id: [p\n")),
        "error: {tmp}/p.yaml: not valid YAML (…",
        "fout: {tmp}/p.yaml: geen geldige YAML (…",
    ),
    (
        "instrument_not_found",
        lambda tmp: load_instrument(tmp / "mhi5.yaml"),
        "error: {tmp}/mhi5.yaml: instrument file not found",
        "fout: {tmp}/mhi5.yaml: instrumentbestand niet gevonden",
    ),
    (
        "instrument_not_mapping",
        lambda tmp: parse_instrument([1], "mhi5.yaml"),
        "error: mhi5.yaml: key '(top level)': a mapping of instrument keys, got list",
        "fout: mhi5.yaml: sleutel '(top level)': verwacht een mapping van instrumentsleutels, "
        "gevonden: list",
    ),
    (
        "instrument_key_stem",
        lambda tmp: load_instrument(_instrument(tmp, "other.yaml")),
        "error: {tmp}/other.yaml: key 'key': the file's stem 'other', got 'mhi5'",
        "fout: {tmp}/other.yaml: sleutel 'key': verwacht de bestandsnaam zonder extensie, "
        "'other', gevonden: 'mhi5'",
    ),
    (
        "instrument_wellbeing",
        lambda tmp: load_instrument(_instrument(tmp, wellbeing="nope")),
        "error: {tmp}/mhi5.yaml: key 'wellbeing': one of the score columns ['mhi5']",
        "fout: {tmp}/mhi5.yaml: sleutel 'wellbeing': verwacht een van de scorekolommen ['mhi5']",
    ),
    (
        "instrument_declared_twice",
        _twice_declared,
        "error: {tmp}/b/mhi5.yaml: key 'key': an instrument key not declared before, but 'mhi5' "
        "is also declared in {tmp}/a",
        "fout: {tmp}/b/mhi5.yaml: sleutel 'key': verwacht een instrumentsleutel die nog niet "
        "gedeclareerd is, maar 'mhi5' staat ook in {tmp}/a",
    ),
]


def _expected(line: str, tmp: Path) -> str:
    return line.replace("{tmp}", str(tmp)).replace("{name}", tmp.name)


def _same(printed: str, expected: str) -> None:
    if expected.endswith("…"):
        assert printed.startswith(expected[:-1]), printed
    else:
        assert printed == expected


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize(
    ("trigger", "english", "dutch"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_bad_input_gives_its_error_in_dutch_and_english(
    tmp_path: Path, lang: str, trigger: Callable[[Path], object], english: str, dutch: str
) -> None:
    with pytest.raises(OutcomesError) as caught:
        trigger(tmp_path)
    assert caught.value.words is not None, str(caught.value)
    expected = _expected(english if lang == "en" else dutch, tmp_path)
    _same(in_language(caught.value, lang), expected)
    # the error's own message is the English line without "error: "
    _same("error: " + str(caught.value), _expected(english, tmp_path))


@pytest.mark.parametrize(
    ("lang", "exists", "written"),
    [
        (
            "en",
            "error: {out}: already exists; give --force to overwrite it or --out elsewhere",
            "wrote {out}",
        ),
        (
            "nl",
            "fout: {out}: bestaat al; geef --force om het te overschrijven, of --out met een "
            "andere plek",
            "{out} geschreven",
        ),
    ],
)
def test_spec_init_speaks_the_language_of_lang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, exists: str, written: str
) -> None:
    export = _write(tmp_path / "export.csv", HEADER + ROW + ROW.replace("P1", "P2"))
    out = tmp_path / "proef.yaml"
    args = ["spec", "init", str(export), "--project", "proef", "--out", str(out), "--lang", lang]
    assert main(args) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == written.format(out=out)
    assert printed[1].startswith("proef: 7 ")
    assert ("kolommen" in printed[1]) == (lang == "nl")
    assert main(args) == 2
    assert capsys.readouterr().err == exists.format(out=out) + "\n"


@pytest.mark.parametrize(
    ("lang", "missing", "wrong_kind"),
    [
        (
            "en",
            "error: {path}: no such panel file",
            "error: {path}: expected a .csv or .parquet panel file",
        ),
        (
            "nl",
            "fout: {path}: panelbestand niet gevonden",
            "fout: {path}: verwacht een panelbestand in .csv of .parquet",
        ),
    ],
)
def test_analyse_speaks_the_language_of_lang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, missing: str, wrong_kind: str
) -> None:
    path = tmp_path / "panel.csv"
    assert main(["analyse", str(path), "--out", str(tmp_path / "out"), "--lang", lang]) == 2
    assert capsys.readouterr().err == missing.format(path=path) + "\n"
    path = tmp_path / "panel.json"
    pl.DataFrame({"participant_id": ["a"]}).write_json(path)
    assert main(["analyse", str(path), "--out", str(tmp_path / "out"), "--lang", lang]) == 2
    assert capsys.readouterr().err == wrong_kind.format(path=path) + "\n"


# -- every key the code words an error with --------------------------------------------------


def _calls(name: str) -> list[tuple[Path, ast.Call]]:
    """Return every call of ``name`` (a plain or attribute name) in src/outcomes."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if called == name:
                    found.append((path, node))
    return found


def _key_pattern(node: ast.expr) -> str:
    """Return a regular expression matching the keys an argument (a string or f-string) makes."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if isinstance(node, ast.IfExp):
        return f"(?:{_key_pattern(node.body)}|{_key_pattern(node.orelse)})"
    assert isinstance(node, ast.JoinedStr), ast.dump(node)
    return "".join(
        re.escape(part.value) if isinstance(part, ast.Constant) else "[a-z0-9_]+"
        for part in node.values
    )


def _assert_worded(key: str, fields: set[str] | None) -> None:
    for lang in language.LANGUAGES:
        assert language.has_word(key, lang), f"{key} is missing in {lang}"
        used = set(language.placeholders(language.word(key, lang)))
        if fields is not None:
            assert used <= fields, f"{key} ({lang}) needs {used - fields}"
    assert sorted(language.placeholders(language.word(key, "nl"))) == sorted(
        language.placeholders(language.word(key, "en"))
    )


def test_every_worded_key_is_in_both_catalogs_with_its_fields() -> None:
    calls = _calls("worded")
    assert len(calls) > 60
    catalog = set(language.catalog("en"))
    for path, call in calls:
        pattern = _key_pattern(call.args[1])
        keys = [k for k in catalog if re.fullmatch(pattern, k)]
        assert keys, f"{path.name}: no catalog key matches {pattern}"
        if isinstance(call.args[1], ast.JoinedStr):
            continue  # a key made from a name: each name is checked below
        spread = any(k.arg is None for k in call.keywords)
        fields = None if spread else {k.arg for k in call.keywords if k.arg is not None}
        for key in keys:
            _assert_worded(key, fields)


def test_every_key_made_from_a_name_is_in_both_catalogs() -> None:
    # the binary formats an export is mistaken for, per message that names one
    for content in CONTENT_KINDS:
        _assert_worded(f"error_not_text_{content}", {"file", "suffix"})
    for expected, accepted in (("xlsx", {"zip"}), ("sav", {"sav", "zsav"})):
        for situation in ("empty_{}", "{}_found_text", "{}_found_binary"):
            _assert_worded("error_" + situation.format(expected), {"file"})
        for content in set(CONTENT_KINDS) - accepted:
            _assert_worded(f"error_{expected}_is_{content}", {"file"})
    for content in set(CONTENT_KINDS) - {"zip", "sav", "zsav"}:  # the draft reads those
        _assert_worded(f"error_not_export_{content}", {"file"})
    for hint in ("", "_encoding"):  # outcomes.ingest.readers.spss
        _assert_worded(f"error_sav_unreadable{hint}", {"file", "problem"})
    for by in ("name", "values"):  # outcomes.privacy.IdentifierFinding.by
        _assert_worded(f"error_identifier_mapped_by_{by}", {"file", "column", "kind"})
    # the kinds of YAML file a user writes (outcomes.yamlfile.read_yaml)
    kinds = {call.args[1].value for _, call in _calls("read_yaml")}  # type: ignore[attr-defined]
    assert kinds == {"project spec", "instrument file", "analysis configuration"}
    for kind in kinds:
        for situation in ("not_found", "not_utf8"):
            _assert_worded(f"error_{kind.replace(' ', '_')}_{situation}", {"file"})
    # each expectation of an instrument file's checks (outcomes.instruments.loader)
    problems = [call for path, call in _calls("_Problem") if path.name == "loader.py"]
    assert len(problems) > 20
    for call in problems:
        words = call.args[1]
        assert isinstance(words, ast.Constant), ast.dump(words)
        fields = {"file", "at"} | {k.arg for k in call.keywords if k.arg is not None}
        _assert_worded(f"error_instrument_{words.value}", fields)
