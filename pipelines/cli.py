"""The installed ``outcomes`` command: the library's command line with the pipeline wired in.

``outcomes demo`` and ``outcomes run`` materialize the Dagster assets; the library
(``outcomes.cli``) does not import Dagster, so this entry point passes it the runner. The runner
is imported only when one of those two commands runs, so ``outcomes validate`` stays quick.
"""

from __future__ import annotations

from collections.abc import Sequence

from outcomes import cli


def materialize_all(
    *, home: str | None, lang: str, engine: str, allow_generate_key: bool
) -> cli.RunOutcome:
    """Run ``pipelines.runner.materialize_all``; return its :class:`RunSummary`."""
    from pipelines.runner import materialize_all as run_everything

    return run_everything(
        home=home, lang=lang, engine=engine, allow_generate_key=allow_generate_key
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``outcomes`` command with the pipeline's runner; return its exit code."""
    return cli.main(argv, materialize=materialize_all)


if __name__ == "__main__":
    raise SystemExit(main())
