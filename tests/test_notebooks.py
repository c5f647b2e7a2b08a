"""The analyst notebooks: committed without outputs, and executed top to bottom on demo data.

Execution runs each notebook in a Jupyter kernel of this environment (nbclient), against the
shared ``demo_workspace`` (the fixture sets ``OUTCOMES_HOME``, which the kernel inherits). The
Matthew notebook is also run on a copy whose ``matthew.json`` holds the richer content the full
analysis writes (subgroups, bootstrap replicates, sensitivity analyses), so those sections run too.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from outcomes.workspace import Workspace

pytestmark = pytest.mark.xdist_group("demo")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ["01_data_quality.ipynb", "02_outcomes_over_time.ipynb", "03_matthew_check.ipynb"]
#: A line each notebook prints on consistent demo data (its own cross-checks passing).
EXPECTED = {
    "01_data_quality.ipynb": "export files reconcile.",
    "02_outcomes_over_time.ipynb": "SQL and polars agree",
    "03_matthew_check.ipynb": "matthew.json holds:",
}
MAJOR, MINOR = sys.version_info[:2]
PYTHON_NAMES = {"python", f"python{MAJOR}", f"python{MAJOR}.{MINOR}"}
#: One screen of a table: characters per line and lines of its text, columns and rows of its HTML
#: (a row or column of "…" that stands for the hidden ones counts too).
SCREEN_WIDTH = 120
SCREEN_LINES = 40
SCREEN_COLUMNS = 11
SCREEN_ROWS = 26


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Return a kernel that runs this interpreter: ``python3`` when its spec resolves to it
    (jupyter_client swaps a bare ``python`` for ``sys.executable``), else a spec installed for
    this run into a temporary ``JUPYTER_PATH``."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        argv = KernelSpecManager().get_kernel_spec("python3").argv
    except NoSuchKernel:
        argv = []
    if argv and (argv[0] in PYTHON_NAMES or argv[0] == sys.executable):
        yield "python3"
        return
    from ipykernel.kernelspec import install

    prefix = tmp_path_factory.mktemp("jupyter")
    install(prefix=str(prefix), kernel_name="outcomes-test")
    saved = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
    try:
        yield "outcomes-test"
    finally:
        if saved is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = saved


def _execute(name: str, kernel: str) -> nbformat.NotebookNode:
    """Execute notebook ``name`` in ``notebooks/`` and return it; a last cell added here reports
    the kernel's interpreter so the test can check it is this environment's."""
    from nbclient import NotebookClient

    notebook = _read(name)
    notebook.cells.append(
        nbformat.v4.new_code_cell("import sys\nprint(sys.prefix)\nprint(sys.executable)")
    )
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name=kernel,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    return notebook


def _stdout(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def _images(notebook: nbformat.NotebookNode) -> int:
    return sum(
        "image/png" in o.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.outputs
    )


def _tables(cell: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """Return the tables a code cell shows, as (kind, content): the text of a printed or
    displayed frame (``text``) and the HTML of a displayed one (``html``)."""
    found = []
    for output in cell.outputs:
        data = output.get("data", {})
        text = output.get("text", "") if output.output_type == "stream" else data.get("text/plain")
        if text and "┌" in text:
            found.append(("text", text))
        if "<table" in data.get("text/html", ""):
            found.append(("html", data["text/html"]))
    return found


def _asks(cell: nbformat.NotebookNode) -> bool:
    """Return whether a markdown cell is a heading or asks a question."""
    lines = [line.strip() for line in cell.source.splitlines() if line.strip()]
    return bool(lines) and (lines[0].startswith("#") or any("?" in line for line in lines))


def _layout_problems(name: str, notebook: nbformat.NotebookNode) -> list[str]:
    """Return where an executed notebook breaks "one screen per question"."""
    problems = []
    seen: dict[str, int] = {}
    cells = notebook.cells[:-1]  # the interpreter cell _execute appends
    for index, cell in enumerate(cells):
        if cell.cell_type != "code" or not cell.outputs:
            continue
        before = cells[index - 1] if index else None
        if before is None or before.cell_type != "markdown" or not _asks(before):
            problems.append(f"{name} cell {index}: output not preceded by a question or heading")
        for kind, content in _tables(cell):
            if kind == "text":
                text = content.strip()
                lines = text.splitlines()
                if text in seen:
                    problems.append(
                        f"{name} cell {index}: shows the table of cell {seen[text]} again"
                    )
                seen.setdefault(text, index)
                if max(map(len, lines)) > SCREEN_WIDTH:
                    problems.append(f"{name} cell {index}: table wider than {SCREEN_WIDTH}")
                if len(lines) > SCREEN_LINES:
                    problems.append(f"{name} cell {index}: table of {len(lines)} lines")
            else:
                header = re.search(r"<thead>\s*<tr>(.*?)</tr>", content, re.S)
                columns = header.group(1).count("<th") if header else 0
                body = re.search(r"<tbody>(.*?)</tbody>", content, re.S)
                rows = body.group(1).count("<tr") if body else 0
                if columns > SCREEN_COLUMNS:
                    problems.append(f"{name} cell {index}: HTML table of {columns} columns")
                if rows > SCREEN_ROWS:
                    problems.append(f"{name} cell {index}: HTML table of {rows} rows")
    return problems


def _errors(notebook: nbformat.NotebookNode) -> list[str]:
    return [
        f"{o.ename}: {o.evalue}"
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.outputs
        if o.output_type == "error"
    ]


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_is_stripped(name: str) -> None:
    notebook = _read(name)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, f"{name} has no code cells"
    for index, cell in enumerate(code):
        assert cell.outputs == [], f"{name}: code cell {index} has saved outputs"
        assert cell.execution_count is None, f"{name}: code cell {index} has an execution count"
        assert "execution" not in cell.metadata, f"{name}: code cell {index} has timing metadata"
    assert notebook.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_reads_the_workspace_through_the_helper(name: str) -> None:
    source = "\n".join(cell.source for cell in _read(name).cells if cell.cell_type == "code")
    assert "from outcomes import notebook as nb" in source
    assert "nb.workspace()" in source
    # Notebooks load what the pipeline wrote; they never run a pipeline step themselves.
    for forbidden in ("read_parquet", "fit_m1", "stages.", "score_responses", "validate_responses"):
        assert forbidden not in source, f"{name} uses {forbidden}"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_executes_on_demo_data(
    name: str, demo_workspace: Workspace, kernel_name: str
) -> None:
    assert os.environ["OUTCOMES_HOME"] == str(demo_workspace.home)
    notebook = _execute(name, kernel_name)
    assert _errors(notebook) == []
    assert f"Workspace: {demo_workspace.home}" in _stdout(notebook.cells[1])
    assert _images(notebook) >= 3
    printed = "\n".join(_stdout(cell) for cell in notebook.cells if cell.cell_type == "code")
    assert EXPECTED[name] in printed
    assert "do NOT reconcile" not in printed
    assert _layout_problems(name, notebook) == []
    prefix, executable = _stdout(notebook.cells[-1]).split()
    assert (prefix, executable) == (sys.prefix, sys.executable)


def test_notebook_stops_with_a_helpful_message_without_a_workspace(
    kernel_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbclient.exceptions import CellExecutionError

    monkeypatch.setenv("OUTCOMES_HOME", str(tmp_path / "nothing-here"))
    with pytest.raises(CellExecutionError) as error:
        _execute("01_data_quality.ipynb", kernel_name)
    message = str(error.value)
    assert "NotMaterialized" in message
    assert "outcomes demo" in message
    assert str(tmp_path / "nothing-here") in message


@pytest.mark.slow
def test_matthew_notebook_shows_every_section_the_analysis_writes(
    demo_workspace: Workspace, kernel_name: str
) -> None:
    # matthew.json declares no sensitivity key (docs/architecture.md, "Documents"): the
    # completers-only comparison is read from attrition.json, the tipping point from
    # tipping_point.json
    notebook = _execute("03_matthew_check.ipynb", kernel_name)
    assert _errors(notebook) == []
    printed = "\n".join(_stdout(cell) for cell in notebook.cells if cell.cell_type == "code")
    for absent in (
        "no subgroup slopes",
        "no likelihood-ratio tests",
        "no bootstrap results",
        "No further sections",
        "No network-growth result",
        "No completers-only comparison",
        "No tipping-point analysis",
    ):
        assert absent not in printed
    assert "checklist" in _stdout(notebook.cells[1])
    assert _layout_problems("03_matthew_check.ipynb", notebook) == []
    # results, subgroups, bootstrap intervals, completers-only comparison, tipping point,
    # pooled and regression-to-the-mean figures
    assert _images(notebook) >= 7


def test_layout_check_finds_what_breaks_one_screen_per_question() -> None:
    table = "shape: (1, 1)\n┌───┐\n│ a │\n└───┘"
    wide = "┌" + "─" * (SCREEN_WIDTH + 1) + "┐"
    columns = "".join(f"<th>c{i}</th>" for i in range(SCREEN_COLUMNS + 1))
    html = f"<table><thead><tr>{columns}</tr></thead><tbody></tbody></table>"

    def shows(*outputs: nbformat.NotebookNode) -> nbformat.NotebookNode:
        cell = nbformat.v4.new_code_cell("...")
        cell.outputs = list(outputs)
        return cell

    def result(text: str, html: str | None = None) -> nbformat.NotebookNode:
        data = {"text/plain": text} | ({"text/html": html} if html else {})
        return nbformat.v4.new_output("display_data", data=data)

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("## How many rows?"),
        shows(result(table), nbformat.v4.new_output("stream", text=table)),
        nbformat.v4.new_markdown_cell("Some remark, not a question."),
        shows(result(wide, html)),
        nbformat.v4.new_markdown_cell("### Which rules?"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("appended by _execute"),
    ]
    assert _layout_problems("x", notebook) == [
        "x cell 1: shows the table of cell 1 again",
        "x cell 3: output not preceded by a question or heading",
        f"x cell 3: table wider than {SCREEN_WIDTH}",
        f"x cell 3: HTML table of {SCREEN_COLUMNS + 1} columns",
    ]
