"""Render funder reports to PDF/A-2b with typst: a project report and the synthesis.

Belongs here: compiling the repository's template ``templates/report.typ`` with the typst
package over a report's content (``data.json`` and its figures; no online packages, only the
fonts embedded in typst), writing the PDF and its figures atomically, and counting its pages.
The PDF timestamp comes from the data (``report_timestamp``), so identical inputs give
byte-identical PDFs.
Does not belong here: the content of the documents (``project_content.py``,
``synthesis_content.py``, ``content_blocks.py``), what may be shown (``disclosure.py``/
``tables.py``) or wording (``labels.py`` and the ``*_text.py`` modules).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import typst

from outcomes.atomic import write_bytes
from outcomes.documents import ReportTables
from outcomes.reports.project_content import project_content
from outcomes.reports.synthesis_content import synthesis_content

TEMPLATE = "report.typ"
PDF_STANDARD: Literal["a-2b"] = "a-2b"


class RenderError(RuntimeError):
    """Typst could not compile a report; the message carries typst's diagnostic."""


@dataclass(frozen=True)
class ReportInfo:
    """A rendered report: where it was written and how many pages it has."""

    path: Path
    pages: int
    #: the report's figures (SVG) written beside it, for the Dagster UI and analysts
    figures: tuple[Path, ...] = ()


_PAGE_COUNT = re.compile(
    rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b"
)


def count_pages(pdf: bytes) -> int:
    """Return the page count of a PDF written by typst (the root page tree's ``/Count``)."""
    counts = [int(a or b) for a, b in _PAGE_COUNT.findall(pdf)]
    if counts:
        return max(counts)
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def compile_report(content: Mapping[str, Any], files: Mapping[str, bytes], timestamp: str) -> bytes:
    """Return the PDF/A-2b bytes of ``content`` laid out by ``templates/report.typ``.

    The compile root is a fresh temporary directory holding the template, ``data.json`` and
    the figures; only typst's embedded fonts are used; the PDF timestamp is ``timestamp``.
    """
    with tempfile.TemporaryDirectory(prefix="outcomes-report-") as directory:
        root = Path(directory)
        template = resources.files("outcomes.reports").joinpath("templates", TEMPLATE)
        with resources.as_file(template) as source:
            shutil.copyfile(source, root / TEMPLATE)
        (root / "data.json").write_text(
            json.dumps(content, ensure_ascii=False, sort_keys=True, indent=1), encoding="utf-8"
        )
        for name, data in files.items():
            (root / name).write_bytes(data)
        stamp = dt.datetime.fromisoformat(timestamp)
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        try:
            pdf = typst.compile(
                str(root / TEMPLATE),
                root=str(root),
                format="pdf",
                sys_inputs={"data": "data.json"},
                pdf_standards=PDF_STANDARD,
                timestamp=int(stamp.timestamp()),
                ignore_system_fonts=True,
            )
        except typst.TypstError as error:  # pragma: no cover - template errors are bugs
            raise RenderError(f"typst could not compile the report: {error}") from error
    assert isinstance(pdf, bytes)
    return pdf


def _render(
    content: dict[str, Any], files: dict[str, bytes], timestamp: str, out_path: Path
) -> ReportInfo:
    pdf = compile_report(content, files, timestamp)
    path = write_bytes(out_path, pdf)
    # figures/<report name>/<figure>.svg, e.g. reports/figures/netwerkcoach.nl/matthew.svg
    figure_dir = out_path.parent / "figures" / out_path.stem
    figures = tuple(
        Path(write_bytes(figure_dir / name, data))
        for name, data in sorted(files.items())
        if name.endswith(".svg")
    )
    return ReportInfo(path=Path(path), pages=count_pages(pdf), figures=figures)


def render_project_report(tables: ReportTables, out_path: Path, lang: str = "nl") -> ReportInfo:
    """Render one project's funder report (``reports/<project>.<lang>.pdf``) from its report
    tables (``reports/tables/<project>.json``) and return its path and page count. Dutch by
    default, English with ``lang="en"``."""
    content, files = project_content(tables, lang)
    return _render(content, files, tables.report_timestamp, Path(out_path))


def render_synthesis_report(tables: ReportTables, out_path: Path, lang: str = "nl") -> ReportInfo:
    """Render the synthesis across projects (``reports/synthesis.<lang>.pdf``) from its report
    tables (``reports/tables/synthesis.json``) and return its path and page count."""
    content, files = synthesis_content(tables, lang)
    return _render(content, files, tables.report_timestamp, Path(out_path))
