"""The catalog: every warehouse table the pipeline writes, declared once (docs/architecture.md,
"Catalog").

``FIELDS`` declares each column once by name — type, nullability, what it may hold, and its
meaning in English and Dutch; a table that holds a column differently says so with
:meth:`~outcomes.catalog.model.Column.but`. ``TABLES`` lists the tables in pipeline order with
their columns, primary key and description. Item and score columns come from the instrument
registry (:class:`~outcomes.catalog.model.InstrumentItems`,
:class:`~outcomes.catalog.model.InstrumentScores`). The pandera schemas
(``outcomes.validation.schemas``), the codebook (``outcomes.codebook``) and the Dagster column
schemas and checks (``pipelines/``) are generated from here.
"""

from __future__ import annotations

from typing import get_args

import polars as pl

from outcomes.catalog.model import (
    AnyItemAnswered,
    Bound,
    Column,
    Equals,
    InstrumentItems,
    InstrumentScores,
    NotEmpty,
    OneOf,
    Range,
    ScoreRange,
    Table,
)
from outcomes.catalog.vocabulary import (
    EARLIEST_ASSESSMENT,
    EARLIEST_BIRTH_YEAR,
    GENDERS,
    NETWORK_GROUPS,
    OLDEST_AGE,
    STATUSES,
    WELLBEING_SCALE,
)
from outcomes.specs import ExportFormat

#: Type of ``ingest_issues``: what ingest could not read in a row, one struct per problem.
INGEST_ISSUE_DTYPE = pl.List(
    pl.Struct({"column": pl.String, "value": pl.String, "rule": pl.String, "message": pl.String})
)

_FIELDS = (
    # ------------------------------------------------------------------ identity and time
    Column(
        "project",
        pl.String(),
        "Project id.",
        "Projectcode.",
        nullable=False,
    ),
    Column(
        "participant_id",
        pl.String(),
        "Pseudonym of the participant: HMAC-SHA256 of the study ID under the project key, "
        "prefixed 'p'. Never the raw ID.",
        "Pseudoniem van de deelnemer: HMAC-SHA256 van het onderzoeksnummer met de projectsleutel, "
        "met voorvoegsel 'p'. Nooit het oorspronkelijke nummer.",
        nullable=False,
        null_rule="missing_participant_id",
    ),
    Column(
        "wave",
        pl.Int64(),
        "Measurement wave, 0 = baseline.",
        "Meetmoment, 0 = nulmeting.",
        nullable=False,
        constraints=(Range(0, None, rule="out_of_range"),),
        null_rule="missing_wave",
    ),
    Column(
        "assessed_on",
        pl.Date(),
        "Date of the assessment.",
        "Datum van de meting.",
        required=False,
        constraints=(Range(EARLIEST_ASSESSMENT, Bound.TODAY, rule="date_implausible"),),
    ),
    Column(
        "site",
        pl.String(),
        "Site (location, team) of the participant.",
        "Locatie (vestiging, team) van de deelnemer.",
        required=False,
    ),
    Column(
        "arm",
        pl.String(),
        "Trial arm; null when the project has no control group.",
        "Onderzoeksarm; leeg als het project geen controlegroep heeft.",
        required=False,
    ),
    Column(
        "gender",
        pl.String(),
        "female / male / other; null when unknown.",
        "vrouw (female) / man (male) / anders (other); leeg als onbekend.",
        required=False,
        constraints=(OneOf(GENDERS, rule="code_not_allowed"),),
    ),
    Column(
        "birth_year",
        pl.Int64(),
        "Year of birth.",
        "Geboortejaar.",
        required=False,
        constraints=(Range(EARLIEST_BIRTH_YEAR, Bound.THIS_YEAR, rule="out_of_range"),),
    ),
    Column(
        "age",
        pl.Int64(),
        "Age in years as the export gives it.",
        "Leeftijd in jaren zoals de export die geeft.",
        required=False,
        constraints=(Range(0, OLDEST_AGE, rule="out_of_range"),),
    ),
    Column(
        "completed",
        pl.Boolean(),
        "Whether the questionnaire was submitted complete; false marks an incomplete submission.",
        "Of de vragenlijst volledig is ingestuurd; false betekent een onvolledige inzending.",
        required=False,
        constraints=(Equals(True, rule="incomplete_submission"),),
    ),
    # ------------------------------------------------------------------ provenance
    Column(
        "source_file",
        pl.String(),
        "Export file the row came from (its name in landing/<project>/).",
        "Exportbestand waar de rij vandaan komt (de naam in landing/<project>/).",
        nullable=False,
    ),
    Column(
        "source_sha256",
        pl.String(),
        "SHA-256 of that export file; its read-only copy is archive/<sha256>.<ext>.",
        "SHA-256 van dat exportbestand; de alleen-lezen kopie is archive/<sha256>.<ext>.",
        required=False,
    ),
    Column(
        "source_row",
        pl.Int64(),
        "Row of the export file the values came from.",
        "Rij van het exportbestand waar de waarden vandaan komen.",
        nullable=False,
        constraints=(Range(1, None),),
    ),
    Column(
        "ingest_issues",
        INGEST_ISSUE_DTYPE,
        "What ingest could not read in the row (column, value, rule, message); validation "
        "quarantines the row.",
        "Wat het inlezen in de rij niet kon lezen (kolom, waarde, regel, melding); de validatie "
        "zet de rij in quarantaine.",
        required=False,
    ),
    # ------------------------------------------------------------------ export inventory
    Column(
        "format",
        pl.String(),
        "Export format the project spec declares.",
        "Exportformaat volgens de projectspecificatie.",
        nullable=False,
        constraints=(OneOf(get_args(ExportFormat)),),
    ),
    Column(
        "archived_as",
        pl.String(),
        "Name of the file's read-only copy in archive/.",
        "Naam van de alleen-lezen kopie van het bestand in archive/.",
    ),
    Column(
        "version",
        pl.Int64(),
        "Version of this file name in the archive: 1 for the first delivery, one more for "
        "every changed delivery under the same name.",
        "Versie van deze bestandsnaam in het archief: 1 voor de eerste levering, één hoger voor "
        "elke gewijzigde levering onder dezelfde naam.",
        constraints=(Range(1, None),),
    ),
    Column(
        "rows_read",
        pl.Int64(),
        "Data rows read from the file.",
        "Gelezen gegevensrijen uit het bestand.",
        nullable=False,
        constraints=(Range(0, None),),
    ),
    Column(
        "unmapped_columns",
        pl.String(),
        "Columns of the export the spec does not map, comma-separated (empty when every "
        "column is mapped).",
        "Kolommen van de export die de specificatie niet koppelt, met komma's gescheiden (leeg "
        "als elke kolom gekoppeld is).",
        nullable=False,
    ),
    # ------------------------------------------------------------------ quarantine records
    Column(
        "column",
        pl.String(),
        "Column that breaks the rule; null for a rule about the whole row.",
        "Kolom die de regel breekt; leeg bij een regel over de hele rij.",
    ),
    Column(
        "value",
        pl.String(),
        "The offending value as text; null when the value is missing. Never an identifier.",
        "De afgekeurde waarde als tekst; leeg als de waarde ontbreekt. Nooit een identificerend "
        "gegeven.",
    ),
    Column(
        "rule",
        pl.String(),
        "Id of the broken rule (out_of_range, duplicate_submission, …).",
        "Code van de overtreden regel (out_of_range, duplicate_submission, …).",
        nullable=False,
    ),
    Column(
        "message",
        pl.String(),
        "What is wrong and what was expected, in the run's language, for the project's data "
        "manager.",
        "Wat er mis is en wat verwacht werd, in de taal van de run, voor de datamanager van het "
        "project.",
        nullable=False,
        constraints=(NotEmpty(),),
    ),
    # ------------------------------------------------------------------ panel
    Column(
        "months_since_baseline",
        pl.Float64(),
        "Months since the participant's baseline assessment (from dates; from the wave order "
        "when dates are missing).",
        "Maanden sinds de nulmeting van de deelnemer (uit de data; uit de volgorde van de "
        "metingen als data ontbreken).",
        constraints=(Range(0, None),),
    ),
    Column(
        "years",
        pl.Float64(),
        "months_since_baseline / 12: the time axis of the models.",
        "months_since_baseline / 12: de tijdas van de modellen.",
        constraints=(Range(0, None),),
    ),
    Column(
        "wellbeing",
        pl.Float64(),
        "The project's primary wellbeing score rescaled to 0–100, higher = better: "
        "100 · (score − minimum) / (maximum − minimum).",
        "De primaire welbevindenscore van het project omgerekend naar 0–100, hoger = beter: "
        "100 · (score − minimum) / (maximum − minimum).",
        constraints=(Range(*WELLBEING_SCALE),),
    ),
    Column(
        "network_size_bl",
        pl.Float64(),
        "network_size at the participant's baseline (wave 0); the moderator of the Matthew "
        "analysis.",
        "network_size bij de nulmeting van de deelnemer; de moderator van de Mattheus-analyse.",
        constraints=(ScoreRange("network_size"),),
    ),
    Column(
        "network_family_bl",
        pl.Float64(),
        "network_family at baseline.",
        "network_family bij de nulmeting.",
        constraints=(ScoreRange("network_family"),),
    ),
    Column(
        "network_diversity_bl",
        pl.Float64(),
        "network_diversity at baseline.",
        "network_diversity bij de nulmeting.",
        constraints=(ScoreRange("network_diversity"),),
    ),
    Column(
        "network_group",
        pl.String(),
        "small / medium / large by baseline network size; cut-offs from configuration, by "
        "default the tertiles of the pooled baseline distribution (recorded in the asset's "
        "metadata).",
        "klein / middel / groot naar netwerkgrootte bij de nulmeting; grenzen uit de "
        "configuratie, standaard de tertielen van de gepoolde nulmeting (vastgelegd in de "
        "metadata).",
        constraints=(OneOf(NETWORK_GROUPS),),
    ),
    Column(
        "age_bl",
        pl.Int64(),
        "Age at baseline (from age, or from birth year and assessment date).",
        "Leeftijd bij de nulmeting (uit leeftijd, of uit geboortejaar en meetdatum).",
        constraints=(Range(0, OLDEST_AGE),),
    ),
    Column(
        "status",
        pl.String(),
        "completer (took part in the last wave of the project), dropout (stopped before it) or "
        "baseline_only (baseline only).",
        "completer (deed mee aan de laatste meting), dropout (eerder gestopt) of baseline_only "
        "(alleen nulmeting).",
        nullable=False,
        constraints=(OneOf(STATUSES),),
    ),
    # ------------------------------------------------------------------ attrition
    Column(
        "participants",
        pl.UInt32(),
        "Participants measured at this wave.",
        "Deelnemers gemeten op dit meetmoment.",
        nullable=False,
        constraints=(Range(1, None),),
    ),
    Column(
        "baseline_participants",
        pl.UInt32(),
        "Participants at baseline in the same project and network group; null for "
        "participants without a network group.",
        "Deelnemers bij de nulmeting in hetzelfde project en dezelfde netwerkgroep; leeg voor "
        "deelnemers zonder netwerkgroep.",
        constraints=(Range(1, None),),
    ),
    Column(
        "retained",
        pl.Float64(),
        "participants / baseline_participants: the share still taking part.",
        "participants / baseline_participants: het deel dat nog meedoet.",
        constraints=(Range(0, 1),),
    ),
)

#: Every column of the warehouse by name, declared once.
FIELDS: dict[str, Column] = {column.name: column for column in _FIELDS}

#: Non-item columns of a project's responses, in the order ingest writes them.
RESPONSE_META_COLUMNS = (
    "project",
    "participant_id",
    "wave",
    "assessed_on",
    "site",
    "arm",
    "gender",
    "birth_year",
    "age",
    "completed",
)
#: Where a response row came from: file, file hash and row.
PROVENANCE_COLUMNS = ("source_file", "source_sha256", "source_row")

_META = tuple(FIELDS[name] for name in RESPONSE_META_COLUMNS)
_PROVENANCE = tuple(FIELDS[name] for name in PROVENANCE_COLUMNS)

RAW_RESPONSES = Table(
    "raw_responses",
    "The export files a project delivered in landing/<project>/, one row per file: its "
    "SHA-256, format, archived copy, version and rows read. The raw rows hold names and "
    "e-mail addresses and never enter the warehouse.",
    "De exportbestanden die een project in landing/<project>/ aanleverde, één rij per bestand: "
    "SHA-256, formaat, gearchiveerde kopie, versie en gelezen rijen. De ruwe rijen bevatten "
    "namen en e-mailadressen en komen nooit in het warehouse.",
    (
        FIELDS["project"],
        FIELDS["source_file"],
        FIELDS["source_sha256"].but(nullable=False, required=True),
        FIELDS["format"],
        FIELDS["archived_as"],
        FIELDS["version"],
        FIELDS["rows_read"],
        FIELDS["unmapped_columns"],
    ),
    primary_key=("source_file",),
    per_project=True,
)

RESPONSES = Table(
    "responses",
    "Every submitted questionnaire of a project in canonical columns, as delivered: answers "
    "coded as in the published instruments, participant numbers pseudonymised, identifiers "
    "removed, and the file, file hash and row each row came from. Values are checked in "
    "validation.",
    "Elke ingestuurde vragenlijst van een project in canonieke kolommen, zoals aangeleverd: "
    "antwoorden gecodeerd als in de gepubliceerde instrumenten, deelnemernummers "
    "gepseudonimiseerd, identificerende gegevens verwijderd, en per rij het bestand, de "
    "bestandshash en de rij. De waarden worden bij de validatie gecontroleerd.",
    (*_META, InstrumentItems(), *_PROVENANCE, FIELDS["ingest_issues"]),
    primary_key=("source_file", "source_row"),
    per_project=True,
    rules_enforced=False,
    row_rules=(AnyItemAnswered(),),
)

VALID_RESPONSES = Table(
    "valid_responses",
    "The responses that break no validation rule: answer codes and ranges from the instrument "
    "definitions, plausible dates and ages, one row per participant per wave.",
    "De antwoorden die geen validatieregel breken: antwoordcodes en bereiken uit de "
    "instrumentdefinities, aannemelijke data en leeftijden, één rij per deelnemer per meting.",
    (*_META, InstrumentItems(), *_PROVENANCE),
    primary_key=("participant_id", "wave"),
    per_project=True,
    row_rules=(AnyItemAnswered(),),
)

QUARANTINED_RESPONSES = Table(
    "quarantined_responses",
    "One record per broken rule per rejected row: file, row, column, value and a message the "
    "project's data manager understands.",
    "Eén record per overtreden regel per afgekeurde rij: bestand, rij, kolom, waarde en een "
    "melding die de datamanager van het project begrijpt.",
    (
        FIELDS["project"],
        FIELDS["source_file"],
        FIELDS["source_row"],
        FIELDS["participant_id"].but(nullable=True, null_rule=None),
        FIELDS["wave"].but(nullable=True, null_rule=None, constraints=()),
        FIELDS["column"],
        FIELDS["value"],
        FIELDS["rule"],
        FIELDS["message"],
    ),
    per_project=True,
    ordered=True,
)

SCORED_RESPONSES = Table(
    "scored_responses",
    "The valid responses with the scores of the project's instruments, by each instrument's "
    "published scoring rules, and wellbeing on 0–100.",
    "De geldige antwoorden met de scores van de instrumenten van het project, volgens de "
    "gepubliceerde scoringsregels, en welbevinden op 0–100.",
    (*VALID_RESPONSES.entries, InstrumentScores(), FIELDS["wellbeing"]),
    primary_key=("participant_id", "wave"),
    per_project=True,
    row_rules=(AnyItemAnswered(),),
)

OUTCOME_PANEL = Table(
    "outcome_panel",
    "All projects in one long table, one row per participant per wave: time since baseline, "
    "every instrument score, wellbeing on 0–100, baseline network size and group, age, gender "
    "and attrition status. The input of every model.",
    "Alle projecten in één lange tabel, één rij per deelnemer per meting: tijd sinds de "
    "nulmeting, elke instrumentscore, welbevinden op 0–100, netwerkgrootte en netwerkgroep bij "
    "de nulmeting, leeftijd, geslacht en uitvalstatus. De invoer van elk model.",
    (
        FIELDS["participant_id"],
        FIELDS["project"],
        FIELDS["site"].but(required=True),
        FIELDS["arm"].but(required=True),
        FIELDS["wave"],
        FIELDS["assessed_on"].but(required=True),
        FIELDS["months_since_baseline"],
        FIELDS["years"],
        InstrumentScores("registry"),
        FIELDS["wellbeing"],
        FIELDS["network_size_bl"],
        FIELDS["network_family_bl"],
        FIELDS["network_diversity_bl"],
        FIELDS["network_group"],
        FIELDS["age_bl"],
        FIELDS["gender"].but(required=True),
        FIELDS["status"],
    ),
    primary_key=("project", "participant_id", "wave"),
)

ATTRITION = Table(
    "attrition",
    "Participants measured at each wave per project and network group, and the share still "
    "taking part since baseline.",
    "Deelnemers gemeten per meting, project en netwerkgroep, en het deel dat sinds de nulmeting "
    "nog meedoet.",
    (
        FIELDS["project"],
        FIELDS["network_group"],
        FIELDS["wave"],
        FIELDS["participants"],
        FIELDS["baseline_participants"],
        FIELDS["retained"],
    ),
    primary_key=("project", "network_group", "wave"),
)

#: Every warehouse table, in pipeline order, by name (the name of its Dagster asset).
TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        RAW_RESPONSES,
        RESPONSES,
        VALID_RESPONSES,
        QUARANTINED_RESPONSES,
        SCORED_RESPONSES,
        OUTCOME_PANEL,
        ATTRITION,
    )
}
