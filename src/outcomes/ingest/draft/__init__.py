"""Drafting a project spec from a project's exports (``outcomes spec init``).

``draft_spec(paths, project)`` returns a :class:`Draft`; ``render_draft(draft)`` its commented
YAML, marked ``# UNSURE: …`` where a person must check it (docs/architecture.md, "Drafting a
spec"). Reading reuses the export readers of ``outcomes.ingest.readers``; item matching uses
the instrument registry's public API only.
"""

from outcomes.ingest.draft.build import Draft, draft_spec, file_pattern_glob
from outcomes.ingest.draft.read import ExportSample, detect_format, read_sample
from outcomes.ingest.draft.render import render_draft

__all__ = [
    "Draft",
    "ExportSample",
    "detect_format",
    "draft_spec",
    "file_pattern_glob",
    "read_sample",
    "render_draft",
]
