"""The analyst notebooks: committed without outputs, and executed top to bottom on demo data.

Execution runs each notebook in a Jupyter kernel of this environment (nbclient), against the
shared ``demo_workspace`` (the fixture sets ``OUTCOMES_HOME``, which the kernel inherits). The
Matthew notebook is also run on a copy whose ``matthew.json`` holds the richer content the full
analysis writes (subgroups, bootstrap replicates, sensitivity analyses), so those sections run too.
"""

from __future__ import annotations

import os
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
    # results, subgroups, bootstrap intervals, completers-only comparison, tipping point,
    # pooled and regression-to-the-mean figures
    assert _images(notebook) >= 7
