"""The catalog of warehouse tables: every table the pipeline writes, declared once.

Each table's columns — type, nullability, allowed values and ranges, descriptions in English
and Dutch — and its primary key are declared in :mod:`outcomes.catalog.tables`; item codes and
score ranges come from the instrument registry. The pandera schemas
(``outcomes.validation.schemas``), the codebook (``outcomes.codebook``) and the column schemas
and blocking checks of the Dagster assets are generated from it (docs/architecture.md,
"Catalog"). No Dagster here: :func:`describe` gives the column schema in plain Python.
"""

from outcomes.catalog.model import (
    AnyItemAnswered,
    Bound,
    CatalogError,
    Column,
    ColumnDescription,
    Constraint,
    Equals,
    InstrumentItems,
    InstrumentScores,
    NotEmpty,
    OneOf,
    Range,
    ScoreRange,
    Table,
    TableDescription,
    constraint_text,
    describe,
    enforced,
    instruments_in_use,
    nullable_in,
    score_range,
    spec_instruments,
)
from outcomes.catalog.tables import (
    FIELDS,
    INGEST_ISSUE_DTYPE,
    PROVENANCE_COLUMNS,
    RESPONSE_META_COLUMNS,
    TABLES,
)
from outcomes.catalog.vocabulary import GENDERS, NETWORK_GROUPS, STATUSES


def table(name: str) -> Table:
    """Return the catalog table ``name``; raise :class:`CatalogError` listing the known ones."""
    try:
        return TABLES[name]
    except KeyError:
        raise CatalogError(
            f"{name!r} is not a warehouse table of the catalog (tables: {', '.join(TABLES)})"
        ) from None


__all__ = [
    "FIELDS",
    "GENDERS",
    "INGEST_ISSUE_DTYPE",
    "NETWORK_GROUPS",
    "PROVENANCE_COLUMNS",
    "RESPONSE_META_COLUMNS",
    "STATUSES",
    "TABLES",
    "AnyItemAnswered",
    "Bound",
    "CatalogError",
    "Column",
    "ColumnDescription",
    "Constraint",
    "Equals",
    "InstrumentItems",
    "InstrumentScores",
    "NotEmpty",
    "OneOf",
    "Range",
    "ScoreRange",
    "Table",
    "TableDescription",
    "constraint_text",
    "describe",
    "enforced",
    "instruments_in_use",
    "nullable_in",
    "score_range",
    "spec_instruments",
    "table",
]
