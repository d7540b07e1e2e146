"""Write README.md from nbs/index.ipynb without Quarto.

nbdev's own `nbdev_readme` renders through Quarto, which cannot be installed everywhere pianoeval is developed. This
script does the same conversion with nbconvert: cells marked `#| hide` are dropped, `#|` directive lines are removed,
images are left out (the docs site shows them), text outputs are kept. tests/test_project.py checks that README.md
equals what this script produces, so the two never drift apart.

Usage: python tools/make_readme.py [--check]
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path

import nbformat
from nbconvert import MarkdownExporter

ROOT = Path(__file__).resolve().parents[1]
HEADER = "<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file. -->\n\n"


def _directives(source: str) -> list[str]:
    return [line[3:].strip() for line in source.splitlines() if line.startswith("#|")]


def readme_text(nb_path: Path = ROOT / "nbs" / "index.ipynb") -> str:
    "The README markdown that `nb_path` converts to."
    nb = nbformat.read(nb_path, as_version=4)
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            if any(d.split()[0] in ("hide", "export", "exporti", "exports") for d in _directives(cell.source) if d):
                continue
            cell.source = "\n".join(l for l in cell.source.splitlines() if not l.startswith("#|")).strip()
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("output_type") == "stream"
                            or (o.get("output_type") in ("execute_result", "display_data") and "text/plain" in o.get("data", {})
                                and not any(k.startswith("image/") for k in o.get("data", {})))]
        cells.append(cell)
    nb.cells = cells
    body, _ = MarkdownExporter().from_notebook_node(nb)
    body = "\n".join(line.rstrip() for line in body.strip().splitlines())
    while "\n\n\n" in body:
        body = body.replace("\n\n\n", "\n\n")
    return HEADER + body + "\n"


def main(argv: list[str]) -> int:
    text, out = readme_text(), ROOT / "README.md"
    if "--check" in argv:
        same = out.exists() and out.read_text(encoding="utf-8") == text
        print("README.md agrees with nbs/index.ipynb" if same else "README.md is stale: run python tools/make_readme.py")
        return 0 if same else 1
    tmp = out.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
