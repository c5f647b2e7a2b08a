"""Pseudonymisation, the pseudonym key, and identifier detection."""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

import polars as pl
import pytest

from outcomes.privacy import (
    KEY_ENV,
    KEY_FILE_ENV,
    MissingKeyError,
    find_identifier_columns,
    identifier_kind_of_name,
    identifier_kind_of_value,
    load_pseudonym_key,
    pseudonym,
    pseudonymise,
    redact,
    strip_identifiers,
)

KEY = b"0123456789abcdef0123456789abcdef"


def test_pseudonym_is_hmac_sha256_of_project_and_id() -> None:
    expected = "p" + hmac.new(KEY, b"netwerkcoach\x1fP001", hashlib.sha256).hexdigest()
    result = pseudonymise(pl.Series("id", ["P001", " P001 ", None, "P002"]), KEY, "netwerkcoach")
    assert result.to_list()[:3] == [expected, expected, None]
    assert result.name == "id" and result.dtype == pl.String
    assert pseudonym("P001", KEY, "netwerkcoach") == expected
    assert result[3] != expected and len(result[3]) == 65


def test_pseudonyms_differ_by_project_and_key() -> None:
    ids = pl.Series(["P001"])
    assert pseudonymise(ids, KEY, "a")[0] != pseudonymise(ids, KEY, "b")[0]
    assert pseudonymise(ids, KEY, "a")[0] != pseudonymise(ids, KEY[::-1], "a")[0]
    # the separator keeps ("ab", "c") and ("a", "bc") apart
    assert (
        pseudonymise(pl.Series(["c"]), KEY, "ab")[0] != pseudonymise(pl.Series(["bc"]), KEY, "a")[0]
    )


def test_pseudonymise_many_ids_is_consistent() -> None:
    raw = pl.Series([f"P{i % 5000:05d}" for i in range(100_000)])
    result = pseudonymise(raw, KEY, "x")
    assert result.n_unique() == 5000
    assert result[0] == result[5000] == pseudonym("P00000", KEY, "x")


def test_key_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(KEY_ENV, "  a-secret-of-enough-length  ")
    assert load_pseudonym_key() == b"a-secret-of-enough-length"


def test_key_from_key_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv("OUTCOMES_HOME", raising=False)
    key_file = tmp_path / "key"
    key_file.write_text("f" * 64 + "\n")
    monkeypatch.setenv(KEY_FILE_ENV, str(key_file))
    assert load_pseudonym_key() == b"f" * 64


def test_missing_key_says_how_to_set_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv("OUTCOMES_HOME", raising=False)
    monkeypatch.setenv(KEY_FILE_ENV, str(tmp_path / "absent.key"))
    with pytest.raises(MissingKeyError) as error:
        load_pseudonym_key()
    message = str(error.value)
    assert KEY_ENV in message and KEY_FILE_ENV in message and "secrets.token_hex" in message
    assert not (tmp_path / "absent.key").exists()


def test_short_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "short")
    with pytest.raises(MissingKeyError, match="at least"):
        load_pseudonym_key()


def test_generate_creates_private_key_file_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv("OUTCOMES_HOME", raising=False)
    key_file = tmp_path / "config" / "pseudonym.key"
    first = load_pseudonym_key(allow_generate=True, key_file=key_file)
    assert len(first) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_pseudonym_key(key_file=key_file) == first
    assert load_pseudonym_key(allow_generate=True, key_file=key_file) == first


def test_key_file_inside_workspace_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "workspace" / "key"
    key_file.parent.mkdir()
    key_file.write_text("x" * 64)
    with pytest.raises(MissingKeyError, match="inside the workspace"):
        load_pseudonym_key(key_file=key_file, workspace_home=tmp_path / "workspace")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("email", "e-mail"),
        ("E-mail adres", "e-mail"),
        ("IPAddress", "IP address"),
        ("ipaddr", "IP address"),
        ("naam", "name"),
        ("Achternaam", "name"),
        ("RecipientFirstName", "name"),
        ("telefoon", "phone"),
        ("adres", "address"),
        ("postcode", "address"),
        ("LocationLatitude", "location"),
        ("BSN", "national ID"),
        ("mhi5_1", None),
        ("Q2[SQ001]", None),
        ("Datum", None),
    ],
)
def test_identifier_names(name: str, kind: str | None) -> None:
    assert identifier_kind_of_name(name) == kind


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("jan.jansen@example.nl", "e-mail"),
        ("06-12345678", "phone"),
        ("+31 6 12345678", "phone"),
        ("020-1234567", "phone"),
        ("192.168.0.12", "IP address"),
        ("1234 AB", "postcode"),
        ("3", None),
        ("Soms", None),
        ("2024-03-01", None),
        ("45352", None),
    ],
)
def test_identifier_values(value: str, kind: str | None) -> None:
    assert identifier_kind_of_value(value) == kind


def test_find_identifier_columns_by_values_and_strip() -> None:
    frame = pl.DataFrame(
        {
            "contact": ["a@b.nl", "c@d.nl", None],
            "q1": ["1", "2", "3"],
            "wijk": ["1234 AB", "5678 CD", "9999 ZZ"],
        }
    )
    found = {(f.column, f.kind, f.by) for f in find_identifier_columns(frame, frame.columns)}
    assert found == {("contact", "e-mail", "values"), ("wijk", "postcode", "values")}
    assert strip_identifiers(frame, []).columns == ["q1"]
    assert redact("a@b.nl") == "<redacted e-mail>" and redact("Soms") == "Soms"


@pytest.mark.parametrize("key", [b"x" * 16, b"y" * 64, b"z" * 100, "sleutel-é".encode() * 3])
def test_vectorised_hmac_equals_the_standard_library(key: bytes) -> None:
    ids = ["P001", "ID with space", "ÉÉN", "12"]
    expected = [
        "p" + hmac.new(key, f"proj\x1f{i}".encode(), hashlib.sha256).hexdigest() for i in ids
    ]
    assert pseudonymise(pl.Series(ids), key, "proj").to_list() == expected
