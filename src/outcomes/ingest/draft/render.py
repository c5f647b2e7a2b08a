"""A drafted spec as commented YAML, in the key order of ``data_schemas/projects/*.yaml``.

Every string is written double-quoted (JSON quoting, which YAML reads as is), so column names
with ``:``, ``#``, ``[`` or leading digits stay strings. A key's note follows it as a comment;
``# UNSURE: …`` marks what a person must check. Columns nothing maps onto are listed as
comments at the end (docs/architecture.md, "Drafting a spec").
"""

from __future__ import annotations

import json
from typing import Any

from outcomes.ingest.draft.build import Draft


def scalar(value: Any) -> str:
    """Return ``value`` as a YAML scalar (strings double-quoted)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def _flow(mapping: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{scalar(k)}: {scalar(v)}" for k, v in mapping.items()) + "}"


def _comment(note: str | None) -> str:
    return f"  # {note}" if note else ""


def render_draft(draft: Draft) -> str:
    """Return the draft as YAML text with comments; ``load_spec`` reads it back once saved as
    ``<project>.yaml``."""
    notes = draft.notes
    lines = [
        f"# Draft spec of project {draft.project!r}, written by `outcomes spec init` from",
        f"# {', '.join(draft.files)}.",
        "# Check every line marked UNSURE, then save it as data_schemas/projects/"
        f"{draft.project}.yaml",
        "# and run `outcomes validate FILE... --project " + draft.project + "`.",
    ]
    for key, value in draft.data.items():
        note = notes.get(key)
        if isinstance(value, dict) and key in {"export", "wave"}:
            lines.append(f"{key}:{_comment(note)}")
            for sub, sub_value in value.items():
                text = _flow(sub_value) if isinstance(sub_value, dict) else scalar(sub_value)
                lines.append(f"  {sub}: {text}{_comment(notes.get(f'{key}.{sub}'))}")
        elif isinstance(value, dict):
            lines.append(f"{key}:{' {}' if not value else ''}{_comment(note)}")
            for sub, sub_value in value.items():
                text = _flow(sub_value) if isinstance(sub_value, dict) else scalar(sub_value)
                lines.append(f"  {scalar(sub)}: {text}{_comment(notes.get(f'{key}.{sub}'))}")
        elif isinstance(value, list) and key == "instruments":
            lines.append(f"{key}: [{', '.join(scalar(v) for v in value)}]{_comment(note)}")
            for sub in value:
                if notes.get(f"{key}.{sub}"):
                    lines.append(f"# {sub}: {notes[f'{key}.{sub}']}")
        elif isinstance(value, list):
            lines.append(f"{key}:{' []' if not value else ''}{_comment(note)}")
            for item in value:
                lines.append(f"  - {scalar(item)}{_comment(notes.get(f'{key}.{item}'))}")
        else:
            lines.append(f"{key}: {scalar(value)}{_comment(note)}")
    if "site" not in draft.data and notes.get("site"):
        lines.append(f"# default_site: …  {notes['site']}")
    if "primary_wellbeing" not in draft.data and notes.get("instruments"):
        lines.append("# primary_wellbeing: none — no instrument with a wellbeing score")
    if draft.unmapped:
        lines.append("# Columns not mapped (add them under columns, free_text or drop):")
        lines += [f"#   {scalar(c)}" for c in draft.unmapped]
    return "\n".join(lines) + "\n"
