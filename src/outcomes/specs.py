"""Project specs: how one project's exports look and how they map onto canonical columns.

A spec lives in ``data_schemas/projects/<id>.yaml``. It is the only place where a project's
export layout is described: reader options, the participant-ID column, how the wave is found,
the raw → canonical column map, project-specific answer labels, identifier and free-text
columns to drop, the instruments used and the primary wellbeing measure.

Answer labels of the standard instruments (``"Voortdurend"`` → 1 for MHI-5, ``"ja!"`` → 1 for
De Jong Gierveld, …) are not repeated here: they come from the instrument registry. A spec only
adds labels a project's own questionnaire used (``value_labels``).

This module validates a spec on load and fails with :class:`SpecError` naming the file, the key
and what was expected. It does not read exports (see ``outcomes.ingest.readers``). Every stage
(ingest, instruments, validation, panel, codebook, pipelines) imports specs from here; nothing in
it depends on a stage (docs/architecture.md, "Ingest and errors").
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from outcomes.errors import Phrases, SpecError, worded
from outcomes.yamlfile import read_yaml, schema_error, schema_problems

__all__ = [
    "CANONICAL_META_COLUMNS",
    "ExportFormat",
    "ExportOptions",
    "ProjectSpec",
    "SpecError",
    "WaveRule",
    "default_specs_dir",
    "load_spec",
    "load_specs",
    "parse_spec",
]

ExportFormat = Literal["qualtrics", "limesurvey", "castor", "redcap", "spss", "excel", "csv"]

#: Canonical non-item columns a spec may map raw columns onto.
CANONICAL_META_COLUMNS = (
    "participant_id",
    "wave",
    "assessed_on",
    "site",
    "arm",
    "gender",
    "birth_date",
    "birth_year",
    "age",
    "completed",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExportOptions(_Strict):
    """How to read the files of one project (reader options)."""

    format: ExportFormat
    pattern: str = Field("*", description="glob of export files inside landing/<project>/")
    delimiter: str | None = Field(None, description="field separator; detected when absent")
    encoding: str | None = Field(None, description="text encoding; detected when absent")
    decimal_comma: bool = False
    sheet: str | int | None = Field(None, description="Excel sheet name or index; all when absent")
    header_row: int = Field(0, ge=0, description="0-based row holding column names (Excel/CSV)")
    skip_rows_after_header: int = Field(0, ge=0)
    date_format: str | None = Field(None, description="strptime format of date cells")
    data_dictionary: str | None = Field(None, description="REDCap data dictionary file glob")


class WaveRule(_Strict):
    """How the measurement wave (0 = baseline) of a row is found.

    Exactly one of ``column``, ``file_pattern``, ``date_order`` or ``constant`` is used;
    ``labels`` maps raw values (``"T0"``, ``"baseline_arm_1"``, ``"Nulmeting"``) onto wave
    numbers. ``constant`` gives every row the same wave: an export of a single measurement
    (docs/architecture.md, "Specs without instruments and single measurements").
    """

    column: str | None = None
    file_pattern: str | None = Field(
        None, description="regular expression with a named group 'wave' applied to the file name"
    )
    date_order: bool = False
    constant: int | None = Field(
        None, ge=0, description="the wave of every row: an export of one measurement"
    )
    labels: dict[str, int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _exactly_one(self) -> WaveRule:
        chosen = [
            self.column is not None,
            self.file_pattern is not None,
            self.date_order,
            self.constant is not None,
        ]
        if sum(chosen) != 1:
            raise schema_error("schema_spec_wave_rule")
        return self


class ProjectSpec(_Strict):
    """A validated project spec (``data_schemas/projects/<id>.yaml``)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str
    organisation: str | None = None
    description: str | None = None
    export: ExportOptions
    participant_id: str = Field(description="raw column with the participant's study ID")
    wave: WaveRule
    assessed_on: str | None = Field(None, description="raw column with the assessment date")
    site: str | None = Field(None, description="raw column with the site, if any")
    default_site: str | None = Field(None, description="site when the export has no site column")
    arm: str | None = Field(None, description="raw column with the trial arm (controlled designs)")
    completed: str | None = Field(
        None, description="raw column that is empty/false for incomplete submissions"
    )
    columns: dict[str, str] = Field(description="raw column → canonical column")
    value_labels: dict[str, dict[str, int | float | str]] = Field(
        default_factory=dict,
        description="canonical column or instrument key → {raw label: code}; extends the "
        "instrument registry's labels",
    )
    missing_codes: list[int | float | str] = Field(
        default_factory=list, description="raw values meaning 'missing' (e.g. -9, 99, 'n.v.t.')"
    )
    instruments: list[str] = Field(
        default_factory=list,
        description="instrument keys whose items the export holds; none for registration data "
        "or a questionnaire without a standard instrument",
    )
    primary_wellbeing: str | None = Field(
        None,
        description="instrument key of the primary wellbeing measure (an instrument that "
        "declares a wellbeing score); absent: the models leave the project out",
    )
    identifiers: list[str] = Field(
        default_factory=list, description="raw columns with direct identifiers; dropped at ingest"
    )
    free_text: list[str] = Field(default_factory=list, description="raw free-text columns; dropped")
    drop: list[str] = Field(
        default_factory=list, description="raw columns deliberately ignored (tool metadata)"
    )
    optional_columns: list[str] = Field(
        default_factory=list,
        description="raw columns (mapped or named above) that some exports lack, e.g. "
        "demographics only asked at baseline; absent → empty values instead of an error",
    )
    quarantine_threshold: float = Field(0.05, ge=0, le=1)
    intervention_type: str | None = Field(
        None,
        description="the project's type among Webber & Fendt-Newlin's (2017) six groups of "
        "social participation interventions (outcomes.catalog.vocabulary.INTERVENTION_TYPES); "
        "the synthesis compares yearly change by type",
    )

    @field_validator("intervention_type")
    @classmethod
    def _known_intervention_type(cls, value: str | None) -> str | None:
        from outcomes.catalog.vocabulary import INTERVENTION_TYPES

        if value is not None and value not in INTERVENTION_TYPES:
            allowed = ", ".join(repr(name) for name in INTERVENTION_TYPES)
            raise schema_error("schema_one_of", allowed=allowed, found=repr(value))
        return value

    @field_validator("columns")
    @classmethod
    def _canonical_targets_unique(cls, columns: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for raw, canonical in columns.items():
            if canonical in seen:
                raise schema_error(
                    "schema_spec_columns_twice",
                    first=seen[canonical],
                    second=raw,
                    canonical=canonical,
                )
            seen[canonical] = raw
        return columns

    @model_validator(mode="after")
    def _primary_is_used(self) -> ProjectSpec:
        if self.primary_wellbeing is not None and self.primary_wellbeing not in self.instruments:
            raise schema_error(
                "schema_spec_primary_wellbeing",
                at="primary_wellbeing",
                value=self.primary_wellbeing,
                instruments=str(self.instruments),
            )
        return self

    def dropped_columns(self) -> set[str]:
        """Return every raw column that never reaches the warehouse."""
        return set(self.identifiers) | set(self.free_text) | set(self.drop)


def _invalid_spec(path: Path, error: ValidationError) -> SpecError:
    """Return the error naming ``path`` and, one indented line each, every key pydantic refused
    with what was expected, in the user's language (:func:`outcomes.yamlfile.schema_problems`)."""
    problems = Phrases(schema_problems(error), "\n  ", before="\n  ")
    return worded(SpecError, "error_spec_invalid", file=str(path), problems=problems)


def parse_spec(data: Any, source: Path | str = "<spec>") -> ProjectSpec:
    """Return the validated :class:`ProjectSpec` for already-parsed YAML ``data``."""
    path = Path(source)
    if not isinstance(data, dict):
        raise worded(SpecError, "error_spec_not_mapping", file=str(path), type=type(data).__name__)
    try:
        spec = ProjectSpec.model_validate(data)
    except ValidationError as error:
        raise _invalid_spec(path, error) from None
    if path.suffix in {".yaml", ".yml"} and path.stem != spec.id:
        raise worded(SpecError, "error_spec_id_file", file=str(path), id=spec.id, name=path.name)
    return spec


def load_spec(path: Path | str) -> ProjectSpec:
    """Return the validated spec in ``path``; raise :class:`SpecError` naming file and key."""
    path = Path(path)
    spec = parse_spec(read_yaml(path, "project spec", SpecError), path)
    # project-local instruments join the registry (docs/architecture.md, "Instruments as data")
    local = path.parent / spec.id / "instruments"
    if local.is_dir():
        from outcomes.instruments import register_project_instruments

        register_project_instruments(spec.id, local)
    return spec


def default_specs_dir() -> Path:
    """Return ``data_schemas/projects`` of this checkout (or ``OUTCOMES_SPECS`` when set)."""
    configured = os.environ.get("OUTCOMES_SPECS")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "data_schemas" / "projects"


def load_specs(directory: Path | str | None = None) -> dict[str, ProjectSpec]:
    """Return every spec in ``directory`` keyed by project id, sorted by id."""
    directory = Path(directory) if directory is not None else default_specs_dir()
    specs = [load_spec(p) for p in sorted(directory.glob("*.yaml"))]
    return {spec.id: spec for spec in sorted(specs, key=lambda s: s.id)}
