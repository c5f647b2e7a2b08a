"""Bad exports: each gives one ExportError naming the file (row, column) and what was expected."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from outcomes.ingest import ExportError, ingest_file
from outcomes.specs import SpecError

from .conftest import KEY, fake_registry, make_spec

HEADER = "ID,Meting,Datum,V1,V2,V3,Vrienden\n"
GOOD_ROW = "P1,Nulmeting,01-02-2024,Nooit,Soms,Vaak,3\n"


def ingest(path: Path, **spec_overrides):
    return ingest_file(path, make_spec(**spec_overrides), KEY, registry=fake_registry())


def write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_export_error_is_a_value_error() -> None:
    assert issubclass(ExportError, ValueError)


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    with pytest.raises(ExportError, match=r"export\.csv: the file is empty"):
        ingest(write(tmp_path, "export.csv", content))


def test_header_only(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"export\.csv: the file has a header but no data rows"):
        ingest(write(tmp_path, "export.csv", HEADER))


def test_truncated_last_line(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", HEADER + GOOD_ROW + GOOD_ROW + "P3,Nulmeting,01-0")
    with pytest.raises(
        ExportError, match=r"export\.csv: row 4: found 3 of the 7 fields.*truncated"
    ):
        ingest(path)


@pytest.mark.parametrize(
    ("content", "row"),
    [
        (HEADER + GOOD_ROW + 'P2,Nulmeting,01-02-2024,"Nooit', 3),  # cut off in a quoted field
        (HEADER + GOOD_ROW + 'P2,Nulmeting,01-02-2024,Nooit,Soms,Vaak,"3\n', 3),  # last field
        (HEADER + 'P2,Nulmeting,"01-02-2024,Nooit,Soms,Vaak,3\n' + GOOD_ROW * 3, 2),  # first row
        (HEADER + GOOD_ROW + 'P2,"Nulmeting,01-02-2024,Nooit,Soms,Vaak,3\n' + GOOD_ROW, 3),
    ],
)
def test_unterminated_quote(tmp_path: Path, content: str, row: int) -> None:
    path = write(tmp_path, "export.csv", content)
    with pytest.raises(ExportError, match=rf"export\.csv: row {row}: a quoted field is not closed"):
        ingest(path)


def test_unterminated_quote_in_a_column_the_spec_drops(tmp_path: Path) -> None:
    header = "ID,Naam,Meting,Datum,V1,V2,V3,Vrienden\n"
    good = "P1,Jan,Nulmeting,01-02-2024,Nooit,Soms,Vaak,3\n"
    for content in (
        header + 'P2,"Piet,Nulmeting,01-02-2024,Nooit,Soms,Vaak,3\n' + good,
        header + good * 2 + 'P2,"Piet,Nulmeting,01-02-2024,Nooit,Soms,Vaak,3\n',
    ):
        path = write(tmp_path, "export.csv", content)
        with pytest.raises(
            ExportError, match=r"export\.csv: row \d+: a quoted field is not closed"
        ):
            ingest(path, identifiers=["Naam"])


def test_too_many_fields(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", HEADER + GOOD_ROW + GOOD_ROW.strip() + ",extra\n")
    with pytest.raises(ExportError, match=r"export\.csv: row 3: found 8 fields, expected 7"):
        ingest(path)


def test_zip_under_csv_name(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ExportError, match=r"export\.csv: the file is a zip archive"):
        ingest(path)


def test_binary_under_csv_name(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", b"ID,V1\x00\x01\x02\x00\xff" * 20)
    with pytest.raises(ExportError, match=r"export\.csv: the file holds binary data"):
        ingest(path)


def test_text_under_xlsx_name(tmp_path: Path) -> None:
    path = write(tmp_path, "export.xlsx", HEADER + GOOD_ROW)
    with pytest.raises(ExportError, match=r"export\.xlsx: expected an \.xlsx workbook.*found text"):
        ingest(path, export={"format": "excel"})


def test_zip_that_is_no_workbook_under_xlsx_name(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    with pytest.raises(ExportError, match=r"export\.xlsx: cannot be opened as an \.xlsx workbook"):
        ingest(path, export={"format": "excel"})


def test_csv_under_sav_name(tmp_path: Path) -> None:
    path = write(tmp_path, "export.sav", HEADER + GOOD_ROW)
    with pytest.raises(ExportError, match=r"export\.sav: expected an SPSS \.sav file"):
        ingest(path, export={"format": "spss"})


def test_zip_under_sav_name(tmp_path: Path) -> None:
    path = tmp_path / "export.sav"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "x")
    with pytest.raises(ExportError, match=r"export\.sav: expected an SPSS.*zip archive"):
        ingest(path, export={"format": "spss"})


def test_wrong_encoding(tmp_path: Path) -> None:
    path = write(
        tmp_path, "export.csv", (HEADER + GOOD_ROW + "P2,Vervolg,,Één,,,\n").encode("cp1252")
    )
    with pytest.raises(
        ExportError, match=r"export\.csv: row 3: the file is not UTF-8 but looks like windows-1252"
    ):
        ingest(path, export={"encoding": "utf-8"})


def test_mapped_column_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", "ID,Meting,Datum,V1,V2,Vrienden\nP1,Nulmeting,,1,2,3\n")
    with pytest.raises(ExportError, match=r"export\.csv: the spec names 'V3' \(columns → mood_3"):
        ingest(path)


def test_optional_column_may_be_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", "ID,Meting,Datum,V1,V2,Vrienden\nP1,Nulmeting,,1,2,3\n")
    result = ingest(path, optional_columns=["V3"])
    assert result.responses.get_column("mood_3").to_list() == [None]


def test_a_separator_other_than_the_specs_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", HEADER + GOOD_ROW)
    with pytest.raises(ExportError) as raised:
        ingest(path, export={"format": "csv", "delimiter": ";"})
    assert str(raised.value) == (
        "export.csv: the separator is ',', not ';' as the spec says; set `export: delimiter: ','` "
        "in the spec, or export the file again with ';'"
    )
    semicolons = write(tmp_path, "semi.csv", (HEADER + GOOD_ROW).replace(",", ";"))
    with pytest.raises(ExportError, match=r"the separator is ';', not ','"):
        ingest(semicolons, export={"format": "csv", "delimiter": ","})


def test_spec_references_column_that_does_not_exist(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", HEADER + GOOD_ROW)
    with pytest.raises(ExportError, match=r"the spec names 'Locatie' \(site\).*does not have"):
        ingest(path, site="Locatie")
    with pytest.raises(ExportError, match=r"the spec names 'Ronde' \(wave.column\)"):
        ingest(path, wave={"column": "Ronde"})


def test_spec_maps_onto_unknown_canonical_column(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", HEADER + GOOD_ROW)
    with pytest.raises(SpecError, match=r"key 'columns.V3': 'mood_9'"):
        ingest(path, columns={"V3": "mood_9"})


def test_extra_unknown_column_is_reported_not_fatal(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", HEADER.strip() + ",Extra\n" + GOOD_ROW.strip() + ",x\n")
    result = ingest(path)
    assert result.files[0].unmapped == ["Extra"]
    assert result.summary["unmapped"] == {"export.csv": ["Extra"]}
    assert "Extra" not in result.responses.columns


def test_duplicated_header(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", "ID,Meting,V1,Datum,V1\nP1,Nulmeting,1,,2\n")
    with pytest.raises(
        ExportError, match=r"export\.csv: row 1: column 'V1' appears twice.*positions 3 and 5"
    ):
        ingest(path)


def test_unknown_answer_label_is_a_row_issue(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "export.csv",
        HEADER + GOOD_ROW + "P2,Nulmeting,01-02-2024,Altijd wel,Soms,Vaak,veel\n",
    )
    result = ingest(path)
    frame = result.responses
    assert frame.height == 2
    assert frame.get_column("mood_1").to_list() == [1.0, None]
    issues = frame.get_column("ingest_issues").to_list()
    assert issues[0] == []
    assert {(i["column"], i["value"], i["rule"]) for i in issues[1]} == {
        ("mood_1", "Altijd wel", "unknown_label"),
        ("n_friends", "veel", "not_a_number"),
    }
    assert result.summary["issues"] == {"not_a_number": 1, "unknown_label": 1}


def test_dropped_columns_are_not_read_but_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "export.csv",
        HEADER.strip() + ",Naam,Notitie\n" + GOOD_ROW.strip() + ",Jan Jansen,belt terug\n",
    )
    result = ingest(path, identifiers=["Naam"], free_text=["Notitie"])
    assert result.files[0].dropped == ["Naam", "Notitie"]
    assert result.files[0].unmapped == []
    assert "Jan Jansen" not in str(result.responses.to_dicts())


def test_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="export file not found"):
        ingest(tmp_path / "nope.csv")


def test_spec_mismatch_is_also_an_export_error(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", HEADER + GOOD_ROW)
    with pytest.raises(ExportError, match=r"unknown instrument 'wellbeing9'"):
        ingest(path, instruments=["mood", "wellbeing9"])
