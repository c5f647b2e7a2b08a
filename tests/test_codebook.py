"""The panel codebook, built from the registry and specs constructed here."""

from __future__ import annotations

import re

import pytest

from outcomes.catalog import instruments_in_use
from outcomes.codebook import CodebookError, build_codebook, panel_columns
from outcomes.instruments import INSTRUMENTS
from outcomes.specs import ProjectSpec, parse_spec

# The panel's columns (docs/architecture.md, "Catalog"), written out independently of the module.
PANEL_COLUMNS = [
    "participant_id",
    "project",
    "site",
    "arm",
    "wave",
    "assessed_on",
    "months_since_baseline",
    "years",
    "mhi5",
    "loneliness",
    "loneliness_emotional",
    "loneliness_social",
    "loneliness6",
    "loneliness6_emotional",
    "loneliness6_social",
    "swemwbs",
    "lsns6",
    "lsns6_family",
    "lsns6_friends",
    "lsns6_isolated",
    "network_size",
    "network_family",
    "network_nonfamily",
    "network_diversity",
    "network_professionals",
    "qol_grade",
    "wellbeing",
    "network_size_bl",
    "network_family_bl",
    "network_diversity_bl",
    "network_group",
    "age_bl",
    "gender",
    "status",
]


def coach_spec() -> ProjectSpec:
    return parse_spec(
        {
            "id": "coach",
            "name": "Coachproject",
            "export": {"format": "csv"},
            "participant_id": "Respondent",
            "wave": {"column": "Meting", "labels": {"T0": 0, "T1": 1}},
            "assessed_on": "Datum",
            "site": "Team",
            "columns": {
                "MHI_zenuwachtig": "mhi5_1",
                "MHI_put": "mhi5_2",
                "MHI_kalm": "mhi5_3",
                "MHI_somber": "mhi5_4",
                "MHI_gelukkig": "mhi5_5",
                "Eenz|leegte": "djg6_1",
                "Eenz_missen": "djg6_2",
                "Eenz_steek": "djg6_3",
                "Eenz_terugvallen": "djg6_4",
                "Eenz_vertrouwen": "djg6_5",
                "Eenz_verbonden": "djg6_6",
                "NK_huis": "net_household",
                "NK_familie": "net_family",
                "NK_vrienden": "net_friends",
                "NK_buren": "net_neighbours",
                "NK_kennissen": "net_acquaintances",
                "NK_prof": "net_professionals",
                "Geslacht": "gender",
                "Geboortejaar": "birth_year",
            },
            "instruments": ["mhi5", "djg6", "network_map"],
            "primary_wellbeing": "mhi5",
        }
    )


def tafel_spec() -> ProjectSpec:
    return parse_spec(
        {
            "id": "tafel",
            "name": "Tafelproject",
            "export": {"format": "excel"},
            "participant_id": "ID",
            "wave": {"file_pattern": r"meting(?P<wave>\d)"},
            "default_site": "Amsterdam",
            "columns": {"cijfer_leven": "qol_grade", "wb1": "swemwbs_1", "wb2": "swemwbs_2"},
            "instruments": ["swemwbs", "qol_grade"],
            "primary_wellbeing": "swemwbs",
        }
    )


def specs() -> dict[str, ProjectSpec]:
    return {"tafel": tafel_spec(), "coach": coach_spec()}


#: the instruments whose scores PANEL_COLUMNS lists, in registry order
PANEL_INSTRUMENTS = ("mhi5", "djg11", "djg6", "swemwbs", "lsns6", "network_map", "qol_grade")


def test_panel_columns_match_the_catalog_listing() -> None:
    used = {key: INSTRUMENTS[key] for key in PANEL_INSTRUMENTS}
    assert panel_columns(used) == PANEL_COLUMNS


def test_codebook_lists_only_the_instruments_the_projects_use() -> None:
    text = build_codebook(specs(), "en")
    listed = set(re.findall(r"^\| `([a-z0-9_]+)` \|", text, flags=re.MULTILINE))
    assert {"mhi5", "loneliness6", "swemwbs", "qol_grade", "network_size"} <= listed
    assert not {"loneliness", "lsns6", "who5", "k10"} & listed


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_panel_column_is_listed(lang: str) -> None:
    text = build_codebook(specs(), lang)
    listed = re.findall(r"^\| `([a-z0-9_]+)` \|", text, flags=re.MULTILINE)
    columns = panel_columns(instruments_in_use(specs().values()))
    assert set(columns) < set(PANEL_COLUMNS)
    for column in columns:
        assert column in listed, column


def item_row(text: str, item: str) -> list[str]:
    for line in text.splitlines():
        if line.startswith(f"| `{item}`"):
            return [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
    raise AssertionError(f"no row for {item}")


def test_source_items_are_the_raw_columns_per_project() -> None:
    text = build_codebook(specs(), "en")
    # projects sorted by id: coach before tafel; only users of an instrument get a column
    assert item_row(text, "mhi5_3") == [
        "`mhi5_3` (R)",
        "Have you felt calm and peaceful?",
        "`MHI_kalm`",
    ]
    assert item_row(text, "swemwbs_2")[-1] == "`wb2`"
    assert item_row(text, "swemwbs_3")[-1] == "—"  # not in the export
    assert item_row(text, "djg6_1")[-1] == r"`Eenz\|leegte`"  # pipe escaped in a table
    assert item_row(text, "net_professionals")[-1] == "`NK_prof`"


def test_scoring_rules_and_citations_come_from_the_registry() -> None:
    en = build_codebook(specs(), "en")
    nl = build_codebook(specs(), "nl")
    for instrument in instruments_in_use(specs().values()).values():
        assert instrument.citation in en
        assert instrument.scoring_rule in en
        assert instrument.missing_rule in en
        assert instrument.scoring_rule_nl in nl
        assert instrument.missing_rule_nl in nl


def test_score_rows_show_range_direction_and_cutoffs() -> None:
    wider = tafel_spec().model_copy(
        update={"instruments": ["swemwbs", "qol_grade", "djg11", "lsns6"]}
    )
    text = build_codebook({**specs(), "tafel": wider}, "en")
    row = item_row(text, "mhi5")
    assert row[2:5] == [
        "0–100",
        "higher = better",
        "< 60: mentally unhealthy; 60–100: mentally healthy",
    ]
    assert item_row(text, "loneliness")[4] == (
        "0–2: not lonely; 3–8: moderately lonely; 9–10: severely lonely; 11: very severely lonely"
    )
    assert item_row(text, "lsns6_isolated")[1] == "Boolean"


def test_wellbeing_and_meta_sources_per_project() -> None:
    text = build_codebook(specs(), "en")
    assert "| coach | `mhi5` | 100 · (mhi5 − 0) / (100 − 0) |" in text
    assert "| tafel | `swemwbs` | 100 · (swemwbs − 7) / (35 − 7) |" in text
    assert "| `participant_id` | `Respondent` (pseudonymised) | `ID` (pseudonymised) |" in text
    assert r"| `wave` | `Meting` | from file name `meting(?P<wave>\d)` |" in text
    assert "| `site` | `Team` | fixed: Amsterdam |" in text
    assert "| `age_bl` | `Geboortejaar` | — |" in text


def test_dutch_codebook_is_dutch() -> None:
    text = build_codebook(specs(), "nl")
    assert text.startswith("# Codeboek: outcome_panel")
    assert "Voelde u zich kalm en rustig?" in text
    assert "psychisch ongezond" in text


def test_codebook_without_specs_still_lists_columns() -> None:
    text = build_codebook({}, "en")
    assert "`network_group`" in text
    assert "`mhi5`" not in text  # no project, no instrument: no score columns


def test_unknown_language_and_instrument_are_clear_errors() -> None:
    with pytest.raises(CodebookError, match="'nl' or 'en'"):
        build_codebook(specs(), "fr")
    bad = coach_spec().model_copy(update={"instruments": ["mhi5", "no_such_scale"]})
    with pytest.raises(
        CodebookError, match=r"project 'coach': unknown instrument\(s\) \['no_such_scale'\]"
    ):
        build_codebook({"coach": bad}, "en")
