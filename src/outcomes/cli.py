"""The ``outcomes`` command: demo, run, validate, spec init, analyse, report.

Each subcommand is a thin shell around library functions (and, for ``run`` and ``demo``, the
Dagster runner in ``pipelines.runner``). A user's mistake — any :class:`OutcomesError` — ends
with a one-line message and exit code 2, never a traceback (docs/architecture.md, "Ingest and
errors").
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from outcomes.errors import OutcomesError
from outcomes.workspace import Workspace

if TYPE_CHECKING:
    from outcomes.ingest.warning import IngestWarning


class RunOutcome(Protocol):
    """What a pipeline run reports back: success, duration and the failure in words."""

    succeeded: bool
    seconds: float
    failure: str | None


#: Materializes every asset (``pipelines.runner.materialize_all``): keyword arguments home,
#: lang, engine and allow_generate_key.
Materialize = Callable[..., RunOutcome]

EXIT_OK = 0
EXIT_QUARANTINED = 1
EXIT_UNREADABLE = 2
#: Stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report Ctrl-C).
EXIT_INTERRUPTED = 130

DESCRIPTION = """\
Outcomes: outcome monitoring of social interventions.

Reads questionnaire exports from landing/<project>/, validates and scores them, builds one
panel, fits mixed models of wellbeing by baseline network size (the Matthew effect) and writes
PDF reports for funders. Everything lives under OUTCOMES_HOME (default ./workspace).

examples:
  outcomes demo                                  demo exports → reports, end to end
  outcomes validate export.csv --project netwerkcoach
  outcomes spec init export.csv --project netwerkcoach
  outcomes analyse workspace/warehouse/outcome_panel.parquet --out results/
  outcomes report --lang en
"""


class UserError(OutcomesError):
    """A command line that cannot work as given (a missing file, a command that needs the
    pipeline); printed as one line, exit code 2."""


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--home",
        default=None,
        help="workspace folder (default: $OUTCOMES_HOME or ./workspace)",
    )


def _print_run_summary(seconds: float, workspace: Workspace, lang: str) -> None:
    from outcomes.summary import run_summary_table

    print()
    print(run_summary_table(workspace, lang))
    print(f"\nfinished in {seconds:.1f} s")


def _materialize(args: argparse.Namespace, *, allow_generate_key: bool) -> int:
    materialize_all = getattr(args, "materialize", None)
    if materialize_all is None:
        raise UserError(
            f"`outcomes {args.command}` runs the Dagster pipeline: use the installed `outcomes` "
            "command (uv run outcomes …), which wires it in from pipelines/"
        )
    workspace = Workspace.from_env(args.home).ensure()
    os.environ["OUTCOMES_HOME"] = str(workspace.home)
    if not allow_generate_key:
        from outcomes.privacy import load_pseudonym_key

        load_pseudonym_key()  # stops here, saying how to set a key, before any run starts
    print(f"materializing everything in {workspace.home}")
    summary = materialize_all(
        home=str(workspace.home),
        lang=args.lang,
        engine=args.engine,
        allow_generate_key=allow_generate_key,
    )
    if getattr(summary, "interrupted", False):
        print(f"interrupted: {summary.failure}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if not summary.succeeded:
        print(f"error: {summary.failure}", file=sys.stderr)
        return 1
    _print_run_summary(summary.seconds, workspace, args.lang)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from outcomes.demo import write_demo

    workspace = Workspace.from_env(args.home).ensure()
    truth = write_demo(workspace.home, n_participants=args.participants, seed=args.seed)
    n = getattr(truth, "n_participants", None)
    print(f"wrote demo exports for {n or args.participants} participants into {workspace.landing}")
    return _materialize(args, allow_generate_key=True)


def cmd_run(args: argparse.Namespace) -> int:
    return _materialize(args, allow_generate_key=False)


def _report_path(args: argparse.Namespace, workspace: Workspace) -> Path | None:
    """Return the ``--report`` file, refusing one inside the workspace (it names the export's
    own IDs) and an ending other than .xlsx or .html."""
    from outcomes.errors import worded
    from outcomes.validation.report_file import REPORT_SUFFIXES

    if not args.report:
        return None
    path = Path(args.report)
    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise worded(UserError, "error_report_format", path=str(path))
    if path.resolve().is_relative_to(workspace.home.resolve()):
        raise worded(UserError, "error_report_in_workspace", path=str(path), home=workspace.home)
    return path


def cmd_validate(args: argparse.Namespace) -> int:
    from outcomes.ingest import ingest_files
    from outcomes.language import word
    from outcomes.privacy import load_pseudonym_key
    from outcomes.specs import default_specs_dir, load_spec
    from outcomes.validation import validate_responses
    from outcomes.validation.report import build_report, format_report

    workspace = Workspace.from_env(args.home)
    report_path = _report_path(args, workspace)
    spec_path = Path(args.spec) if args.spec else default_specs_dir() / f"{args.project}.yaml"
    spec = load_spec(spec_path)
    paths = [Path(name) for name in args.files]
    # The workspace's key, as `outcomes run` uses it: the report's pseudonyms are those of the
    # pipeline's quarantine. An unreadable file raises ExportError (exit code 2, see main()).
    key = load_pseudonym_key(workspace_home=workspace.home)
    ingested = ingest_files(paths, spec, key)
    result = validate_responses(ingested.responses, spec, lang=args.lang)
    warnings = ingest_warning_lines(ingested.warnings, args.lang) if ingested.warnings else []
    report = build_report(result, ingested, spec, args.lang, warnings=warnings)
    print(format_report(report, first=args.first))
    if warnings:
        print("\n" + "\n".join(warnings))
    if (
        result.summary["rules"].get("followup_without_baseline")
        and not (ingested.responses.get_column("wave") == 0).any()
    ):
        files = " ".join(path.name for path in paths)
        print(
            "\n"
            + word("no_baseline_given", args.lang, baseline="T0.csv", files=files, project=spec.id)
        )
    if report_path is not None:
        from outcomes.validation.report_file import write_report

        written = write_report(report, report_path)
        print("\n" + word("report_written", args.lang, path=written))
    return EXIT_QUARANTINED if result.summary["rows_quarantined"] else EXIT_OK


def ingest_warning_lines(warnings: Sequence[IngestWarning], lang: str) -> list[str]:
    """Return the lines ``outcomes validate`` prints for the ingest warnings: a heading, then
    one line per warning, in ``lang`` where the language catalog words its kind
    (``ingest_warning_<kind>``), else in ingest's English (docs/architecture.md, "Ingest and
    errors")."""
    from outcomes import language

    lines = [language.word("ingest_warnings", lang)]
    for warning in warnings:
        key = f"ingest_warning_{warning.kind}"
        if warning.kind is not None and language.has_word(key, lang):
            text = language.word(key, lang, file=warning.file, **warning.fields)
        else:
            text = warning.text
        lines.append(f"  {text}")
    return lines


def cmd_spec_init(args: argparse.Namespace) -> int:
    from outcomes.errors import worded
    from outcomes.ingest.draft import draft_spec, render_draft
    from outcomes.language import word

    draft = draft_spec([Path(name) for name in args.files], args.project)
    text = render_draft(draft)
    if args.out == "-":
        sys.stdout.write(text)
        print(draft.summary(args.lang), file=sys.stderr)
        return EXIT_OK
    out = Path(args.out) if args.out else Path(f"{args.project}.yaml")
    if out.exists() and not args.force:
        raise worded(UserError, "error_spec_exists", path=str(out))
    out.write_text(text, encoding="utf-8")
    print(word("spec_written", args.lang, path=out) + "\n" + draft.summary(args.lang))
    return EXIT_OK


def cmd_analyse(args: argparse.Namespace) -> int:
    import polars as pl

    from outcomes import progress
    from outcomes.errors import worded
    from outcomes.models.analysis import write_analysis
    from outcomes.models.config import load_analysis_config

    path = Path(args.panel)
    if not path.is_file():
        raise worded(UserError, "error_panel_not_found", path=str(path))
    if path.suffix.lower() == ".parquet":
        panel = pl.read_parquet(path)
    elif path.suffix.lower() in {".csv", ".txt"}:
        panel = pl.read_csv(path, infer_schema_length=10_000)
    else:
        raise worded(UserError, "error_panel_format", path=str(path))
    config = load_analysis_config(args.config)
    with progress.reporting(progress.stderr_reporter(force=args.progress)):
        written = write_analysis(
            panel,
            Path(args.out),
            engine=args.engine,
            config=config,
            n_boot=args.bootstrap,
            seed=args.seed,
        )
    for name, written_path in written.items():
        print(f"{name}: {written_path}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from outcomes.stages import report_stage

    workspace = Workspace.from_env(args.home).ensure()
    for record in report_stage(workspace, lang=args.lang):
        for path in record.paths.values():
            print(f"{record.name}[{record.partition or 'all'}]: {path}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``outcomes`` command."""
    parser = argparse.ArgumentParser(
        prog="outcomes",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="write demo exports into landing/ and materialize everything",
        description="Write synthetic exports of the five seed projects into landing/ (with a "
        "known truth in demo/truth.json) and materialize every asset.\n\n"
        "example:\n  outcomes demo --participants 1500",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_common(demo)
    demo.add_argument("--participants", type=int, default=1500, help="participants in all")
    demo.add_argument("--seed", type=int, default=20261122, help="random seed")
    demo.add_argument("--lang", choices=["nl", "en"], default="nl", help="report language")
    demo.add_argument("--engine", choices=["auto", "fast", "statsmodels"], default="auto")
    demo.set_defaults(handler=cmd_demo)

    run = sub.add_parser(
        "run",
        help="materialize everything for what is in landing/",
        description="Ingest, validate and score every project's exports in landing/, build the "
        "panel, fit the models and render the reports.\n\nexample:\n  outcomes run --lang en",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_common(run)
    run.add_argument("--lang", choices=["nl", "en"], default="nl", help="report language")
    run.add_argument("--engine", choices=["auto", "fast", "statsmodels"], default="auto")
    run.set_defaults(handler=cmd_run)

    validate = sub.add_parser(
        "validate",
        help="check exports before hand-over",
        description="Read exports as the pipeline would and print what would be quarantined."
        "\nExit 0: clean; 1: rows would be quarantined; 2: a file cannot be read."
        "\n\nexamples:\n  outcomes validate NEN_T0_baseline.csv --project netwerkcoach"
        "\n  outcomes validate NEN_T0_baseline.csv NEN_T1.csv --project netwerkcoach"
        "\n  outcomes validate NEN_T0_baseline.csv --project netwerkcoach --report ~/check.xlsx",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="export files, read together as the pipeline reads a project's exports; give a "
        "follow-up with its baseline, or every follow-up lacks one",
    )
    validate.add_argument("--project", required=True, help="project id (data_schemas/projects)")
    validate.add_argument("--spec", default=None, help="a spec file instead of the project's")
    validate.add_argument("--lang", choices=["nl", "en"], default="nl")
    validate.add_argument("--first", type=int, default=10, help="problems to list")
    validate.add_argument(
        "--report",
        default=None,
        metavar="FILE",
        help="also write the report to FILE.xlsx or FILE.html (outside the workspace: it names "
        "the export's own participant IDs)",
    )
    _add_common(validate)
    validate.set_defaults(handler=cmd_validate)

    spec = sub.add_parser(
        "spec",
        help="draft a project spec from exports",
        description="Work with project specs (data_schemas/projects/<id>.yaml).",
    )
    spec_sub = spec.add_subparsers(dest="spec_command", required=True, metavar="COMMAND")
    spec_init = spec_sub.add_parser(
        "init",
        help="draft a spec from a project's exports",
        description="Detect the export format, header rows, participant ID, date, wave and "
        "completion columns, map columns onto instrument items, and write a commented YAML "
        "spec; lines marked '# UNSURE' need checking. Exit 2: a file cannot be read."
        "\n\nexamples:\n  outcomes spec init NEN_T0_baseline.csv NEN_T1.csv --project "
        "netwerkcoach\n  outcomes spec init export.sav --project stamtafel --out -",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    spec_init.add_argument("files", nargs="+", metavar="FILE", help="export files of one project")
    spec_init.add_argument("--project", required=True, help="project id of the new spec")
    spec_init.add_argument(
        "--out",
        default=None,
        help="where to write the spec (default: <project>.yaml in the current folder; "
        "'-': standard output)",
    )
    spec_init.add_argument("--force", action="store_true", help="overwrite an existing --out")
    spec_init.add_argument(
        "--lang", choices=["nl", "en"], default="nl", help="language of messages and errors"
    )
    spec_init.set_defaults(handler=cmd_spec_init)

    analyse = sub.add_parser(
        "analyse",
        help="fit M1, the Matthew check and pooling on a panel file",
        description="Fit the primary mixed model on a panel (CSV or parquet) with columns "
        "participant_id, months_since_baseline, network_size_bl, wellbeing (and project).\n\n"
        "example:\n  outcomes analyse panel.csv --out results/ --engine fast",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    analyse.add_argument("panel", help="panel file (.csv or .parquet)")
    analyse.add_argument("--out", required=True, help="output folder")
    analyse.add_argument("--engine", choices=["auto", "fast", "statsmodels"], default="auto")
    analyse.add_argument(
        "--config",
        help="the declared analysis (primary test, method, bootstrap, simple slopes); default "
        "data_schemas/analysis.yaml or OUTCOMES_ANALYSIS",
    )
    analyse.add_argument(
        "--bootstrap",
        type=int,
        default=None,
        help="bootstrap replicates of the primary test (0: none; default: the configuration's)",
    )
    analyse.add_argument("--seed", type=int, default=None, help="random seed (default: config)")
    analyse.add_argument("--lang", choices=["nl", "en"], default="nl", help="language of errors")
    analyse.add_argument(
        "--progress",
        action="store_true",
        help="write progress lines to standard error even when it is not a terminal",
    )
    analyse.set_defaults(handler=cmd_analyse)

    report = sub.add_parser(
        "report",
        help="render the PDF reports from materialized results",
        description="Render reports/<project>.<lang>.pdf and reports/synthesis.<lang>.pdf.\n\n"
        "example:\n  outcomes report --lang en",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_common(report)
    report.add_argument("--lang", choices=["nl", "en"], default="nl")
    report.set_defaults(handler=cmd_report)
    return parser


def main(argv: Sequence[str] | None = None, *, materialize: Materialize | None = None) -> int:
    """Run the ``outcomes`` command; return its exit code.

    ``materialize`` runs every asset for ``outcomes demo`` and ``outcomes run``; the library
    does not import Dagster, so the pipeline passes it in (``pipelines.cli.main``, the installed
    command). Without it those two commands stop with a one-line error.
    """
    args = build_parser().parse_args(argv)
    args.materialize = materialize
    try:
        return int(args.handler(args))
    except OutcomesError as error:
        from outcomes.errors import in_language

        # commands with --lang word their errors in it; the others print English
        print(in_language(error, getattr(args, "lang", "en")), file=sys.stderr)
        return EXIT_UNREADABLE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
