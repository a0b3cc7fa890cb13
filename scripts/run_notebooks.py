"""Execute every notebook in notebooks/ top to bottom, headless, as CI does.

    python3 scripts/run_notebooks.py [NOTEBOOK ...]

Each notebook runs in a fresh Python kernel with notebooks/ as its working
folder (as when opened there). A cell that raises fails the run with the
notebook, the cell and the error. Outputs are not written back, so the
committed notebooks stay small; `--save DIR` writes the executed copies
there. The binaries are found as notebooks/leadscore_cli.py says
(LEADSCORE_BIN, or cargo's target folder).
"""
import argparse
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="notebook files (default: all in notebooks/)")
    parser.add_argument("--save", type=pathlib.Path, help="write the executed notebooks to this folder")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args()
    paths = [pathlib.Path(p) for p in args.notebooks] or sorted(NOTEBOOKS.glob("*.ipynb"))
    if not paths:
        sys.exit("no notebooks found")
    failed = []
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        started = time.time()
        client = NotebookClient(notebook, timeout=args.timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(NOTEBOOKS)}})
        try:
            client.execute()
        except CellExecutionError as e:
            failed.append(path.name)
            print(f"FAILED {path.name}:\n{e}", file=sys.stderr)
            continue
        finally:
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                nbformat.write(notebook, args.save / path.name)
        cells = sum(1 for c in notebook.cells if c.cell_type == "code")
        print(f"ok {path.name}: {cells} code cells in {time.time() - started:.1f} s")
    if failed:
        sys.exit(f"{len(failed)} notebook(s) failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
