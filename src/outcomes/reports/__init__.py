"""Funder reports: disclosure-controlled tables, figures and typst-rendered PDFs (nl/en).

The steps, in order: :func:`build_report_tables` (the ``report_tables`` step, disclosure control
included, see :mod:`outcomes.reports.disclosure`), then :func:`render_project_report` and
:func:`render_synthesis_report`, which read nothing but those tables.
"""

from outcomes.reports.disclosure import DisclosureError, ProtectedTable, protect_table
from outcomes.reports.disclosure import suppress_counts as suppress_counts
from outcomes.reports.render import (
    RenderError,
    ReportInfo,
    render_project_report,
    render_synthesis_report,
)
from outcomes.reports.tables import ReportDataError, ReportTables, build_report_tables

__all__ = [
    "DisclosureError",
    "ProtectedTable",
    "RenderError",
    "ReportDataError",
    "ReportInfo",
    "ReportTables",
    "build_report_tables",
    "protect_table",
    "render_project_report",
    "render_synthesis_report",
    "suppress_counts",
]
