"""The declared Matthew test in words (its method, the bootstrap check, the Holm family, a
simplified random part), exploratory rows without a verdict word, and the pooled texts with few
projects. Inputs are matthew.json's tests and pooled.json's entries (conftest) as the report
tables hold them."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from outcomes.documents import InteractionTest, MatthewSummary
from outcomes.reports import labels, matthew_text, synthesis_text
from outcomes.reports.analysis_tables import shown_simple_slopes
from outcomes.reports.tables import build_report_tables


def _exploratory_above_zero(shapes: SimpleNamespace) -> InteractionTest:
    """Return an exploratory row whose interval lies above 0 (its Satterthwaite test alone would
    say "matthew"): the report must still give no verdict."""
    return shapes.exploratory_row("netwerkcoach", "wellbeing", 0.6410, (0.4570, 0.8240), 1e-5, 3e-4)


def _summary(row: InteractionTest, exploratory_tests: int = 0) -> MatthewSummary:
    """Return the report tables' Matthew test holding ``row`` as the test the report describes."""
    return MatthewSummary(
        project=row.project, primary=row, results=(row,), subgroups=None,
        exploratory_tests=exploratory_tests, simple_slopes=(),
    )  # fmt: skip


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_method_text_names_the_method_the_bootstrap_check_and_the_holm_family(lang, shapes):
    said = matthew_text.primary_method_text(shapes.primary_row(), shapes.exploratory_tests, lang)
    if lang == "nl":
        assert "t-toets met Satterthwaite-vrijheidsgraden" in said
        assert "parametrische bootstrap 95%-BI 0,10 tot 0,48 en p = 0,005" in said
        assert "op 200 bruikbare herhalingen." in said
        assert "De 53 andere toetsen" in said and "met Holm gecorrigeerd" in said
        assert "mislukt" not in said and "geconvergeerd" not in said
    else:
        assert "t-test with Satterthwaite degrees of freedom" in said
        assert "parametric bootstrap gave 95% CI 0.10 to 0.48 and p = 0.005" in said
        assert "from 200 usable replicates." in said
        assert "The 53 other tests" in said and "Holm-adjusted" in said
        assert "failed" not in said and "converged" not in said


def test_failed_and_non_converged_replicates_are_counted_when_there_are_any(shapes):
    row = dataclasses.replace(
        shapes.primary_row(), bootstrap=shapes.bootstrap(195, failed=3, not_converged=2)
    )
    assert "195 bruikbare herhalingen (3 mislukte en 2 niet-geconvergeerde weggelaten)" in (
        matthew_text.primary_method_text(row, shapes.exploratory_tests, "nl")
    )
    only_failed = dataclasses.replace(shapes.primary_row(), bootstrap=shapes.bootstrap(199, 1))
    assert "199 usable replicates (1 failed left out)" in matthew_text.primary_method_text(
        only_failed, shapes.exploratory_tests, "en"
    )


def test_bootstrap_as_declared_method_has_the_satterthwaite_test_as_check(shapes):
    row = shapes.primary_row()
    row = dataclasses.replace(
        row, method="bootstrap", verdict_ci_low=row.boot_ci_low, verdict_ci_high=row.boot_ci_high,
        verdict_p=row.boot_lrt_p,
    )  # fmt: skip
    said = matthew_text.primary_method_text(row, shapes.exploratory_tests, "nl")
    assert "vooraf vastgelegde toets: een parametrische bootstrap" in said
    assert "Satterthwaite t-toets 95%-BI 0,10 tot 0,47, p = 0,002" in said
    assert "De bootstrap gebruikte 200 bruikbare herhalingen." in said


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_exploratory_rows_get_no_verdict_word(lang, shapes):
    row = _exploratory_above_zero(shapes)
    matthew = _summary(row, shapes.exploratory_tests)
    said = " ".join(
        [
            matthew_text.matthew_verdict_sentence(row, lang, with_p=True),
            *matthew_text.matthew_explanation(matthew, lang),
            matthew_text.matthew_method_text(matthew, lang),
        ]
    )
    assert not [w for w in shapes.verdict_words[lang] if w in said], said
    assert ("Verkennend (geen oordeel)" if lang == "nl" else "Exploratory (no verdict)") in said
    assert ("53 verkennende toetsen" if lang == "nl" else "53 exploratory tests") in said
    assert "None" not in said and "null" not in said
    assert labels.verdict_short(None, lang) == labels.verdict_label(None, lang) == "–"


@pytest.mark.parametrize(
    ("structure", "nl", "en"),
    [("uncorrelated", "zonder samenhang tussen beginniveau en verandering",
      "without a correlation between"),
     ("intercept", "daardoor kan het interval te smal zijn", "may therefore be too narrow")],
)  # fmt: skip
def test_a_simplified_random_part_is_said_plainly(structure, nl, en, shapes):
    note = "the fit with correlated random terms (1 + years | participant_id) was singular; ..."
    row = dataclasses.replace(shapes.primary_row(), random_structure=structure, structure_note=note)
    assert "singulier" in matthew_text.structure_note_sentence(row, "nl")
    assert nl in matthew_text.structure_note_sentence(row, "nl")
    assert en in matthew_text.structure_note_sentence(row, "en")
    assert nl in " ".join(matthew_text.matthew_explanation(_summary(row), "nl"))
    assert matthew_text.structure_note_sentence(shapes.primary_row(), "nl") == ""


def test_simple_slopes_only_for_the_declared_test_on_enough_participants(shapes):
    primary = shapes.primary_row()
    shown = shown_simple_slopes(primary, 10)
    assert [s["estimate"] for s in shown] == [s.estimate for s in primary.simple_slopes]
    assert shown_simple_slopes(_exploratory_above_zero(shapes), 10) == []
    assert shown_simple_slopes(dataclasses.replace(primary, n_participants=9), 10) == []
    assert labels.percentile_label(50.0, "nl") == "50e (mediaan)"
    assert [labels.percentile_label(p, "en") for p in (10.0, 90.0, 1.0, 22.0)] == [
        "10th", "90th", "1st", "22nd",
    ]  # fmt: skip
    assert labels.network_size_value(16.0, "nl") == "16 personen"


@pytest.mark.parametrize(("scope", "role"), [("all", "primary"), ("stamtafel", "exploratory")])
def test_exploratory_count_comes_from_the_multiplicity_of_the_whole_analysis(
    panel, shapes, scope, role
):
    # every scope a report reads carries matthew.json's multiplicity, also a project's scope
    # that holds only exploratory tests
    matthew = shapes.matthew(scope, role=role)
    assert matthew.multiplicity.exploratory_tests == shapes.exploratory_tests
    tables = build_report_tables(
        panel, None, matthew, None, None, project=None if scope == "all" else scope
    )
    assert tables.matthew is not None
    assert tables.matthew.exploratory_tests == shapes.exploratory_tests


# ----------------------------------------------------------------------------- pooled texts


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_below_five_projects_i2_has_no_label_and_is_called_imprecise(pooled, lang):
    four = dataclasses.replace(pooled, k=4, df=3, i2_label=None)
    said = synthesis_text.heterogeneity_text(four, lang)
    if lang == "nl":
        assert "met 4 projecten niet nauwkeurig te zeggen (I² = 27%, 95%-BI 0 tot 96%" in said
        levels = ("weinig", "matig", "substantieel", "aanzienlijk", "groot verschil")
    else:
        assert "precisely with 4 projects (I² = 27%, 95% CI 0 to 96%" in said
        levels = ("little", "moderate", "substantial", "considerable", "large variation")
    assert not [w for w in levels if w in said], said
    no_interval = dataclasses.replace(four, i2_ci_low=None, i2_ci_high=None)
    assert "– tot –" not in synthesis_text.heterogeneity_text(no_interval, "nl")
    assert "I² = 27%;" in synthesis_text.heterogeneity_text(no_interval, "nl")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_below_three_projects_no_prediction_interval_is_given(pooled, lang):
    two = dataclasses.replace(
        pooled, k=2, df=1, i2_label=None, pi_low=None, pi_high=None, pi_df=None,
        pi_method="none: fewer than 3 projects", studies=pooled.studies[:2],
    )  # fmt: skip
    said = synthesis_text.heterogeneity_text(two, lang)
    assert (
        "Met minder dan 3 projecten geven we geen voorspellingsinterval"
        if lang == "nl"
        else "With fewer than 3 projects no prediction interval"
    ) in said
    assert ("met 2 projecten" if lang == "nl" else "with 2 projects") in said
    assert "–" not in said and "None" not in said and "null" not in said


def test_pooled_methods_name_knapp_hartung_with_k_minus_one_df(pooled, pooled_interaction):
    entries = [pooled, pooled_interaction]
    nl = " ".join(synthesis_text.pooled_method_items(entries, "nl"))
    en = " ".join(synthesis_text.pooled_method_items(entries, "en"))
    assert "Knapp–Hartung" in nl and "k − 1 vrijheidsgraden" in nl and "hier 3" in nl
    assert "Knapp–Hartung" in en and "k − 1 degrees of freedom" in en
    assert "not given below 3 projects" in en
