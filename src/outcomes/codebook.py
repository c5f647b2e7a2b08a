"""The codebook of ``outcome_panel``: every column, where it comes from and how it is scored.

Generated, never written by hand: the non-score columns, their types and descriptions come from
the catalog (``outcomes.catalog``, docs/architecture.md "Catalog"), score columns from the
instrument registry (range, direction, cut-offs, scoring and missing-item rules, citation) and
the source items per project from each project's spec (its ``columns`` map inverted: canonical
item → raw export column). Markdown in English or Dutch. Writing the file is the caller's job
(``outcomes.atomic.write_text``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from outcomes import catalog
from outcomes.catalog import Column
from outcomes.errors import OutcomesError
from outcomes.instruments import INSTRUMENTS
from outcomes.instruments.base import Instrument, Score
from outcomes.markdown import table_lines
from outcomes.specs import ProjectSpec


class CodebookError(OutcomesError, ValueError):
    """The codebook cannot be built (unknown language, unknown instrument in a spec)."""


#: The panel as the catalog declares it; its non-score columns before and after the scores.
PANEL = catalog.table("outcome_panel")
LEADING_COLUMNS, _AFTER_SCORES = PANEL.split_at_scores()
#: The primary outcome, shown with its rescaling per project.
WELLBEING = PANEL.column("wellbeing")
#: Baseline moderators, demographics and status: the columns after ``wellbeing``.
TRAILING_COLUMNS = tuple(c for c in _AFTER_SCORES if c.name != WELLBEING.name)

_TEXT = {
    "en": {
        "title": "Codebook: outcome_panel",
        "intro": "One row per participant per wave over all projects. Generated from the "
        "instrument registry and the project specs ({projects}). Scores of an instrument a "
        "project does not use are null.",
        "general": "Identification and time",
        "scores": "Scores",
        "wellbeing": "Primary wellbeing",
        "moderators": "Baseline moderators, demographics and status",
        "column": "column",
        "type": "type",
        "description": "description",
        "range": "range",
        "direction": "direction",
        "cutoffs": "cut-offs",
        "item": "item",
        "higher_better": "higher = better",
        "higher_worse": "higher = worse",
        "no_direction": "count / flag",
        "scoring": "Scoring",
        "missing": "Missing items",
        "source": "Source",
        "used_by": "Used by",
        "not_used": "no project",
        "items": "Source items (raw export column per project; (R) = reverse-keyed item)",
        "not_mapped": "—",
        "project": "project",
        "primary": "primary instrument",
        "rescaling": "rescaling",
        "source_columns": "Source columns per project",
        "pseudonymised": "pseudonymised",
        "wave_from_file": "from file name",
        "wave_from_dates": "from date order",
        "wave_constant": "one measurement, wave",
        "no_primary": "none: left out of the models",
        "default_site": "fixed",
        "derived": "derived",
    },
    "nl": {
        "title": "Codeboek: outcome_panel",
        "intro": "Eén rij per deelnemer per meting over alle projecten. Gegenereerd uit het "
        "instrumentenregister en de projectspecificaties ({projects}). Scores van een "
        "instrument dat een project niet gebruikt zijn leeg.",
        "general": "Identificatie en tijd",
        "scores": "Scores",
        "wellbeing": "Primaire uitkomst welbevinden",
        "moderators": "Moderatoren bij de nulmeting, achtergrond en status",
        "column": "kolom",
        "type": "type",
        "description": "omschrijving",
        "range": "bereik",
        "direction": "richting",
        "cutoffs": "afkappunten",
        "item": "item",
        "higher_better": "hoger = beter",
        "higher_worse": "hoger = slechter",
        "no_direction": "aantal / vlag",
        "scoring": "Scoring",
        "missing": "Ontbrekende antwoorden",
        "source": "Bron",
        "used_by": "Gebruikt door",
        "not_used": "geen project",
        "items": "Bronitems (kolom in de export per project; (R) = omgekeerd gescoord item)",
        "not_mapped": "—",
        "project": "project",
        "primary": "primair instrument",
        "rescaling": "omrekening",
        "source_columns": "Bronkolommen per project",
        "pseudonymised": "gepseudonimiseerd",
        "wave_from_file": "uit bestandsnaam",
        "wave_from_dates": "uit volgorde van data",
        "wave_constant": "één meting, meting",
        "no_primary": "geen: buiten de modellen gelaten",
        "default_site": "vast",
        "derived": "afgeleid",
    },
}


def panel_columns(instruments: Mapping[str, Instrument] | None = None) -> list[str]:
    """Return every ``outcome_panel`` column in panel order, as the catalog declares them
    (scores of ``instruments``, default the registry)."""
    return [column.name for column in PANEL.columns(instruments=instruments)]


def _number(value: float) -> str:
    return f"{value:g}"


def _raw_by_canonical(spec: ProjectSpec) -> dict[str, str]:
    """Return canonical column → raw export column for one spec (its ``columns`` inverted)."""
    return {canonical: raw for raw, canonical in spec.columns.items()}


def _direction(score: Score, words: Mapping[str, str]) -> str:
    if score.higher_is_better is True:
        return words["higher_better"]
    if score.higher_is_better is False:
        return words["higher_worse"]
    return words["no_direction"]


def _cutoffs(score: Score, lang: str) -> str:
    """Return the bands as "0–2 not lonely; 3–8 …" ("< 60" for a band open at the top)."""
    bands = []
    for cutoff in score.cutoffs:
        label = cutoff.label_nl if lang == "nl" and cutoff.label_nl else cutoff.label
        lower, upper = _number(cutoff.lower), _number(cutoff.upper)
        if not cutoff.upper_inclusive:
            span = f"< {upper}" if cutoff.lower <= score.minimum else f"{lower} to < {upper}"
        elif cutoff.lower == cutoff.upper:
            span = lower
        else:
            span = f"{lower}–{upper}"
        bands.append(f"{span}: {label}")
    return "; ".join(bands)


def _meta_source(column: str, spec: ProjectSpec, words: Mapping[str, str]) -> str:
    """Return where a non-score column comes from in one project's export."""
    raw = _raw_by_canonical(spec)
    if column == "participant_id":
        return f"`{spec.participant_id}` ({words['pseudonymised']})"
    if column == "project":
        return f"`{spec.id}`"
    if column == "wave":
        if spec.wave.column:
            return f"`{spec.wave.column}`"
        if spec.wave.file_pattern:
            return f"{words['wave_from_file']} `{spec.wave.file_pattern}`"
        if spec.wave.constant is not None:
            return f"{words['wave_constant']} {spec.wave.constant}"
        return words["wave_from_dates"]
    if column == "site":
        if spec.site:
            return f"`{spec.site}`"
        return f"{words['default_site']}: {spec.default_site}" if spec.default_site else ""
    if column == "assessed_on" and spec.assessed_on:
        return f"`{spec.assessed_on}`"
    if column == "arm" and spec.arm:
        return f"`{spec.arm}`"
    if column == "gender" and "gender" in raw:
        return f"`{raw['gender']}`"
    if column == "age_bl":
        found = [f"`{raw[c]}`" for c in ("age", "birth_year", "birth_date") if c in raw]
        return ", ".join(found)
    return ""


def _general_section(
    title: str,
    columns: Sequence[Column],
    specs: Mapping[str, ProjectSpec],
    lang: str,
    words: Mapping[str, str],
) -> list[str]:
    lines = [f"## {title}", ""]
    rows = [[f"`{c.name}`", c.type_name, c.description(lang)] for c in columns]
    lines += table_lines([words["column"], words["type"], words["description"]], rows)
    sourced = [
        c for c in columns if any(_meta_source(c.name, spec, words) for spec in specs.values())
    ]
    if sourced and specs:
        lines += ["", f"{words['source_columns']}:", ""]
        header = [words["column"], *specs]
        source_rows = [
            [f"`{c.name}`"]
            + [_meta_source(c.name, spec, words) or words["not_mapped"] for spec in specs.values()]
            for c in sourced
        ]
        lines += table_lines(header, source_rows)
    return [*lines, ""]


def _instrument_section(
    instrument: Instrument, specs: Mapping[str, ProjectSpec], lang: str, words: Mapping[str, str]
) -> list[str]:
    name = instrument.name_nl if lang == "nl" and instrument.name_nl else instrument.name
    users = {pid: spec for pid, spec in specs.items() if instrument.key in spec.instruments}
    scoring = instrument.scoring_rule_nl if lang == "nl" else instrument.scoring_rule
    missing = instrument.missing_rule_nl if lang == "nl" else instrument.missing_rule
    lines = [f"### {name} (`{instrument.key}`)", ""]
    lines += [
        f"- {words['used_by']}: {', '.join(users) if users else words['not_used']}",
        f"- {words['scoring']}: {scoring or instrument.scoring_rule}",
        f"- {words['missing']}: {missing or instrument.missing_rule}",
        f"- {words['source']}: {instrument.citation}",
        "",
    ]
    rows = []
    for score in instrument.scores:
        label = score.label_nl if lang == "nl" else score.label_en
        rows.append(
            [
                f"`{score.column}`",
                getattr(score.dtype, "__name__", str(score.dtype)),
                f"{_number(score.minimum)}–{_number(score.maximum)}",
                _direction(score, words),
                _cutoffs(score, lang),
                label,
            ]
        )
    header = [
        words["column"],
        words["type"],
        words["range"],
        words["direction"],
        words["cutoffs"],
        words["description"],
    ]
    lines += table_lines(header, rows)
    if users:
        lines += ["", f"{words['items']}:", ""]
        item_rows = []
        for item in instrument.items:
            text = item.text_nl if lang == "nl" else item.text_en
            reverse = " (R)" if item.reverse else ""
            cells = [f"`{item.column}`{reverse}", text]
            for spec in users.values():
                raw = _raw_by_canonical(spec).get(item.column)
                cells.append(f"`{raw}`" if raw else words["not_mapped"])
            item_rows.append(cells)
        lines += table_lines([words["item"], words["description"], *users], item_rows)
    return [*lines, ""]


def _wellbeing_section(
    specs: Mapping[str, ProjectSpec], lang: str, words: Mapping[str, str]
) -> list[str]:
    lines = [f"## {words['wellbeing']}", ""]
    lines += table_lines(
        [words["column"], words["type"], words["description"]],
        [[f"`{WELLBEING.name}`", WELLBEING.type_name, WELLBEING.description(lang)]],
    )
    if specs:
        rows = []
        for pid, spec in specs.items():
            if spec.primary_wellbeing is None:
                rows.append([pid, words["no_primary"], words["not_mapped"]])
                continue
            instrument = INSTRUMENTS[spec.primary_wellbeing]
            column = instrument.wellbeing_column or ""
            score = instrument.score_by_column(column) if column else None
            if score is None:
                rescale = words["not_mapped"]
            else:
                low, high = _number(score.minimum), _number(score.maximum)
                rescale = f"100 · ({column} − {low}) / ({high} − {low})"
            rows.append([pid, f"`{spec.primary_wellbeing}`", rescale])
        lines += ["", *table_lines([words["project"], words["primary"], words["rescaling"]], rows)]
    return [*lines, ""]


def build_codebook(specs: Mapping[str, ProjectSpec], lang: str = "en") -> str:
    """Return the markdown codebook of ``outcome_panel`` for the projects in ``specs``.

    Every panel column (:func:`panel_columns` of the instruments the projects use) is listed
    with its type and description; score columns are grouped by instrument with range,
    direction, cut-offs, the scoring and missing-item rules and the citation from the registry,
    and a table of source items giving each project's raw export column (the spec's ``columns``
    map inverted; "—" when a project's export lacks the item). ``lang`` is "en" or "nl".
    """
    if lang not in _TEXT:
        raise CodebookError(f"codebook language must be 'nl' or 'en', got {lang!r}")
    words = _TEXT[lang]
    for pid, spec in specs.items():
        unknown = [key for key in spec.instruments if key not in INSTRUMENTS]
        if unknown:
            raise CodebookError(
                f"project {pid!r}: unknown instrument(s) {unknown}; known: {list(INSTRUMENTS)}"
            )
    ordered = dict(sorted(specs.items()))
    projects = ", ".join(ordered) if ordered else "-"
    lines = [f"# {words['title']}", "", words["intro"].format(projects=projects), ""]
    lines += _general_section(words["general"], LEADING_COLUMNS, ordered, lang, words)
    lines += [f"## {words['scores']}", ""]
    for instrument in catalog.instruments_in_use(ordered.values()).values():
        lines += _instrument_section(instrument, ordered, lang, words)
    lines += _wellbeing_section(ordered, lang, words)
    lines += _general_section(words["moderators"], TRAILING_COLUMNS, ordered, lang, words)
    return "\n".join(lines).rstrip() + "\n"
