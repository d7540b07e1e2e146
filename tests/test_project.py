"""Checks of the project itself that notebooks cannot make about themselves.

The notebooks test the library (nbdev_test); these tests check that the pieces around them agree: README ↔ index
notebook, the README's set-up command ↔ CI, notebooks ↔ exported library, notebooks ↔ docs processing.
"""
import configparser
import filecmp
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _settings():
    cfg = configparser.ConfigParser(delimiters=["="])
    cfg.read(ROOT / "settings.ini")
    return cfg["DEFAULT"]


def _readme_tool():
    spec = importlib.util.spec_from_file_location("make_readme", ROOT / "tools" / "make_readme.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _setup_commands():
    return re.findall(r"```sh\n(.+?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"))


def test_readme_is_generated_from_index():
    assert (ROOT / "README.md").read_text(encoding="utf-8") == _readme_tool().readme_text(), \
        "README.md is stale: run `python tools/make_readme.py`"


def test_results_pages_are_generated_from_results():
    "RESULTS.md, the pitch and their docs pages are what tools/make_results.py makes of results/ (no hand-typed figure)."
    spec = importlib.util.spec_from_file_location("make_results", ROOT / "tools" / "make_results.py")
    tool = importlib.util.module_from_spec(spec); spec.loader.exec_module(tool)
    stale = [str(p.relative_to(ROOT)) for p, text in tool.outputs().items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    stale += [str(d.relative_to(ROOT)) for s, d in tool.images().items() if not d.exists() or d.read_bytes() != s.read_bytes()]
    assert not stale, f"{stale} are stale: run `python tools/make_results.py`"


def test_results_reads_the_deep_model_runs(tmp_path):
    "make_results turns percepiano_deep/lowo.csv into the deep-vs-linear table and the measured multimodal criterion."
    import json
    spec = importlib.util.spec_from_file_location("make_results", ROOT / "tools" / "make_results.py")
    tool = importlib.util.module_from_spec(spec); spec.loader.exec_module(tool)
    assert tool.read_deep(tmp_path) == {}
    assert tool.multimodal_row({})[2] == "not measured"
    rows = [("A → B", "deep midi+audio", 0.40, -0.2), ("A → B", "deep midi-only", 0.30, -0.1), ("A → B", "deep audio-only", 0.10, -0.3),
            ("A → B", "linear: shipped recipe", 0.60, 0.0), ("B → A", "deep midi+audio", 0.33, -0.2),
            ("B → A", "deep midi-only", 0.20, -0.1), ("B → A", "deep audio-only", 0.31, -0.3), ("B → A", "linear: shipped recipe", 0.5, 0.1)]
    (tmp_path / "lowo.csv").write_text("direction,model,r,R2,steps\n" + "".join(f"{d},{m},{r},{r2},\n" for d, m, r, r2 in rows), encoding="utf-8")
    (tmp_path / "info.json").write_text(json.dumps({"inputs": ["midi+audio"]}), encoding="utf-8")
    deep = tool.read_deep(tmp_path)
    assert deep["better"] == {"A → B": "deep midi-only", "B → A": "deep audio-only"}
    assert deep["gain"]["A → B"] == pytest.approx(0.40 / 0.30 - 1) and deep["gain"]["B → A"] == pytest.approx(0.33 / 0.31 - 1)
    row = tool.multimodal_row(deep)
    assert row[2] == "fail" and "+33 % (A → B: deep MIDI+audio r 0.40 vs midi-only r 0.30)" in row[1] and "+6 % (B → A" in row[1], row
    t = tool.deep_table(deep)
    assert "| deep midi+audio | 0.40 | 0.33 | -0.20 | -0.20 |" in t and "| linear: ridge, 18 features" not in t, t
    sf = "deep midi+audio, trained on X + Y, tested on unseen Z"
    rows += [("A → B", "deep midi+audio, with augment", 0.45, -0.1), ("B → A", "deep midi+audio, with augment", 0.30, -0.1),
             ("A → B", sf, 0.20, -0.5), ("A → B", tool.seen_label(sf), 0.38, -0.2)]
    (tmp_path / "lowo.csv").write_text("direction,model,r,R2,steps\n" + "".join(f'{d},"{m}",{r},{r2},\n' for d, m, r, r2 in rows), encoding="utf-8")
    (tmp_path / "info.json").write_text(json.dumps({"inputs": ["deep midi+audio", sf, "deep midi+audio, with augment"], "variants": {
        "deep midi+audio, with augment": {"data.augment": True}, sf: {"data.soundfont": ["X", "Y"], "lowo.test_soundfont": "Z"}}}), encoding="utf-8")
    t = tool.deep_ablation_table(tool.read_deep(tmp_path))
    assert "| inputs | midi+audio | 0.40 | 0.33 | -0.20 | -0.20 | reference |" in t, t
    assert "| augmentation | midi+audio, with augment | 0.45 | 0.30 | -0.10 | -0.10 | +0.05 / -0.03 |" in t, t
    assert t.index("| augmentation |") < t.index(f"| soundfonts | {sf[5:]} | 0.20 | — |") < t.index("| soundfonts | midi+audio, trained on X + Y, tested on the training soundfont | 0.38 |"), t
    assert "not measured: pseudo-label pre-training, uncertainty weighting, audio front end" in tool.deep_ablations(tool.read_deep(tmp_path))
    (tmp_path / "lowo.csv").write_text("direction,model,r,R2\nA → B,deep midi+audio,0.5,0\nA → B,deep midi-only,0.4,0\n", encoding="utf-8")
    assert tool.multimodal_row(tool.read_deep(tmp_path))[2] == "pass"


def test_readme_starts_with_two_setup_commands_that_ci_runs_verbatim():
    cmds = _setup_commands()
    assert len(cmds) >= 2, cmds
    install_and_demo, install_and_test = cmds[:2]
    for cmd in (install_and_demo, install_and_test):
        assert "pip install torch==2.13.0 &&" in cmd, "torch must be pinned before the package is installed"
    assert "pianoeval score --example" in install_and_demo   # issue 12: the first command scores a built-in example
    assert "nbdev_test" in install_and_test
    assert install_and_test in (ROOT / ".ci" / "run").read_text(), ".ci/run must run the README's test command verbatim"
    assert install_and_test in (ROOT / ".github" / "workflows" / "test.yaml").read_text()


def test_version_matches_settings():
    out = subprocess.run([str(Path(sys.executable).parent / "pianoeval"), "--version"], capture_output=True, text=True)
    assert out.stdout.strip() == f"pianoeval {_settings()['version']}", out
    import pianoeval
    assert pianoeval.__version__ == _settings()["version"]


def _copy_project(dst: Path) -> Path:
    for name in ("settings.ini", "setup.py"):
        shutil.copy(ROOT / name, dst / name)
    shutil.copytree(ROOT / "nbs", dst / "nbs", ignore=shutil.ignore_patterns("_proc", ".ipynb_checkpoints"))
    shutil.copytree(ROOT / "pianoeval", dst / "pianoeval", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "configs", dst / "configs")
    return dst


def _run(cmd, cwd):
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, shell=isinstance(cmd, str))
    assert out.returncode == 0, out.stdout + out.stderr
    return out


def test_library_matches_notebooks(tmp_path):
    proj = _copy_project(tmp_path)
    _run([str(Path(sys.executable).parent / "nbdev_export")], cwd=proj)
    cmp = filecmp.dircmp(ROOT / "pianoeval", proj / "pianoeval", ignore=["__pycache__"])
    assert not (cmp.diff_files or cmp.left_only or cmp.right_only), \
        f"nbdev_export changes {cmp.diff_files + cmp.left_only + cmp.right_only}: edit the notebook, export, commit both"


def test_notebooks_are_clean(tmp_path):
    proj = _copy_project(tmp_path)
    _run([str(Path(sys.executable).parent / "nbdev_clean")], cwd=proj)
    changed = [p.name for p in sorted((ROOT / "nbs").glob("*.ipynb"))
               if p.read_bytes() != (proj / "nbs" / p.name).read_bytes()]
    assert not changed, f"run nbdev_clean: {changed} are not clean"


def test_docs_processing(tmp_path):
    "What the docs build renders: nbdev.serve.proc_nbs (Quarto itself runs in the GitHub Pages workflow)."
    proj = _copy_project(tmp_path)
    code = "from nbdev.serve import proc_nbs; print(proc_nbs('nbs', n_workers=2))"
    _run([sys.executable, "-c", code], cwd=proj)
    notebooks = sorted(p.name for p in (ROOT / "nbs").glob("*.ipynb"))
    processed = sorted(p.name for p in (proj / "_proc").glob("*.ipynb"))
    assert processed == notebooks, (processed, notebooks)
    assert (proj / "_proc" / "_quarto.yml").exists()


def _modules():
    "{module name: ast tree} of the exported library."
    import ast
    return {p.stem: ast.parse(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "pianoeval").glob("*.py"))
            if not p.stem.startswith("_")}


# Utility modules outside the numbered pipeline: core and remote_zip come before every stage; cli and testing after all.
_UNNUMBERED_RANK = {"core": -1, "remote_zip": -1, "cli": 100, "testing": 100}


def _stage_ranks() -> dict:
    "{module: stage number} from the notebooks' default_exp (`03b_corpus` → 3; unnumbered ones from _UNNUMBERED_RANK)."
    import json
    ranks = {}
    for nb in sorted((ROOT / "nbs").glob("*.ipynb")):
        src = "".join("".join(c["source"]) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code")
        m = re.search(r"^#\|\s*default_exp\s+([\w.]+)", src, flags=re.M)
        if not m: continue
        num = re.match(r"(\d+)", nb.stem)
        if num: ranks[m[1]] = int(num[1])
        else:
            assert m[1] in _UNNUMBERED_RANK, f"{nb.name}: say in _UNNUMBERED_RANK where module {m[1]} sits in the pipeline"
            ranks[m[1]] = _UNNUMBERED_RANK[m[1]]
    return ranks


def _pianoeval_imports(nodes):
    "Names of pianoeval modules imported by these AST statements (`from pianoeval.x import`, `from .x import`, `import pianoeval.x`)."
    import ast
    out = []
    for n in nodes:
        if isinstance(n, ast.ImportFrom):
            mod = n.module or ""
            if n.level == 1 or mod.startswith("pianoeval"):
                name = mod.split(".")[1] if mod.startswith("pianoeval.") else mod if n.level == 1 else None
                if name: out.append(name)
                elif mod == "pianoeval" or (n.level == 1 and not mod):
                    out += [a.name for a in n.names if (ROOT / "pianoeval" / f"{a.name}.py").exists()]
        elif isinstance(n, ast.Import):
            out += [a.name.split(".")[1] for a in n.names if a.name.startswith("pianoeval.")]
    return out


def test_no_stage_imports_a_later_stage():
    "DESIGN.md: data flows down the notebooks; a module imports only modules of its own or an earlier stage."
    ranks, bad = _stage_ranks(), []
    for mod, tree in _modules().items():
        for dep in _pianoeval_imports(tree.body):
            if dep not in ranks: bad.append(f"{mod} imports unknown pianoeval.{dep}")
            elif ranks[dep] > ranks[mod]: bad.append(f"{mod} (stage {ranks[mod]}) imports {dep} (stage {ranks[dep]})")
    assert not bad, bad


def test_stage_dependencies_are_module_level():
    "A notebook's import cell shows what it depends on: no pianoeval import hides inside a function (cli excepted)."
    import ast
    allowed = {("cli", None), ("corpus", "corpus"), ("model", None)}   # cli: one stage per sub-command; corpus: spawn workers; model: __version__
    bad = []
    for mod, tree in _modules().items():
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for dep in _pianoeval_imports(ast.walk(fn)):
                    if (mod, None) not in allowed and (mod, dep) not in allowed: bad.append(f"{mod}.{fn.name} imports {dep}")
    assert not bad, bad


def test_contracts_are_not_typed_again():
    "configs/features.yaml and configs/dimensions.yaml hold the contracts; no module repeats their numbers or name lists."
    import ast
    from pianoeval.core import CONTRACTS, DIMENSION_SETS, load_config
    assert load_config(ROOT / "configs" / "features.yaml")["audio"]["sample_rate"] == CONTRACTS.audio.sample_rate
    rates = {CONTRACTS.audio.sample_rate, CONTRACTS.mert.sample_rate}
    # a copy = a literal list/tuple/set holding a whole set or a whole group of one (dicts keyed by dimension, such as
    # a registry of scorers, are fine: they map each name to something of their own)
    copies = [set(s.names) for s in DIMENSION_SETS.values()] + \
             [set(s.group(g)) for s in DIMENSION_SETS.values() for g in s.groups if len(s.group(g)) >= 3]
    bad = []
    for mod, tree in _modules().items():
        if mod == "core": continue
        exported = {id(n.value) for n in tree.body if isinstance(n, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)}
        for n in ast.walk(tree):
            if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool) \
                    and n.value in rates:
                bad.append(f"{mod}:{n.lineno}: the sample rate {n.value} typed again (use pianoeval.core.SR / CONTRACTS)")
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div) and isinstance(n.right, ast.Constant) \
                    and n.right.value == CONTRACTS.cqt.hop_length and isinstance(n.left, ast.Constant):
                bad.append(f"{mod}:{n.lineno}: a frame rate typed again (use pianoeval.core.FRAME_RATE)")
            if isinstance(n, (ast.List, ast.Tuple, ast.Set)) and id(n) not in exported:
                names = {e.value for e in n.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
                if any(c <= names for c in copies):
                    bad.append(f"{mod}:{n.lineno}: a list of dimension names typed again (use pianoeval.core.DIMENSION_SETS)")
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                args = n.args.args[len(n.args.args) - len(n.args.defaults):] + n.args.kwonlyargs
                defaults = list(n.args.defaults) + [d for d in n.args.kw_defaults]
                for a, d in zip(args, defaults):
                    if isinstance(d, ast.Constant) and (a.arg, d.value) in {("seconds", CONTRACTS.segments.seconds),
                            ("segment_seconds", CONTRACTS.segments.seconds), ("overlap", CONTRACTS.segments.overlap)}:
                        bad.append(f"{mod}:{n.lineno}: {n.name}({a.arg}={d.value}) types the window rule again "
                                   "(use SEGMENT_SECONDS / SEGMENT_OVERLAP)")
    assert not bad, "\n".join(bad)


def test_configs_ship_with_the_package(tmp_path):
    "A wheel carries configs/ as pianoeval/configs, and pianoeval.core finds it there without a checkout."
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q",
                          "-w", str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    import zipfile
    wheel, = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"pianoeval/configs/features.yaml", "pianoeval/configs/dimensions.yaml"} <= set(names), names
    shipped = [p.relative_to(ROOT).as_posix() for p in (ROOT / "pianoeval" / "assets" / "models").glob("*/*")]
    assert set(shipped) <= set(names), sorted(set(shipped) - set(names))   # the shipped linear models (nested folders)
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    code = "import pianoeval.core as c; print(c.config_dir(), c.SR)"
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env={**__import__("os").environ, "PYTHONPATH": str(tmp_path / "site")})
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [str(tmp_path / "site" / "pianoeval" / "configs"), "44100"], run.stdout
