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


def test_readme_starts_with_two_setup_commands_that_ci_runs_verbatim():
    cmds = _setup_commands()
    assert len(cmds) >= 2, cmds
    install_and_demo, install_and_test = cmds[:2]
    for cmd in (install_and_demo, install_and_test):
        assert "pip install torch==2.13.0 &&" in cmd, "torch must be pinned before the package is installed"
    assert "pianoeval demo" in install_and_demo
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


def test_feature_config_matches_library_defaults():
    "configs/features.yaml documents the data contract; it must say what the code does."
    import inspect
    from pianoeval import audio, augment
    from pianoeval.core import load_config
    cfg = load_config(ROOT / "configs" / "features.yaml")
    assert cfg["audio"]["sample_rate"] == audio.SR
    assert cfg["audio"]["peak_db"] == inspect.signature(audio.normalize_audio).parameters["target_db"].default
    assert (cfg["cqt"]["n_bins"], cfg["cqt"]["bins_per_octave"], cfg["cqt"]["hop_length"]) == \
        (audio.N_BINS, audio.BINS_PER_OCTAVE, audio.HOP)
    assert abs(cfg["cqt"]["fmin_hz"] - audio.FMIN) < 0.01
    seg = inspect.signature(audio.segment_audio).parameters
    assert (cfg["segments"]["seconds"], cfg["segments"]["overlap"]) == (seg["seconds"].default, seg["overlap"].default)
    aug = cfg["augment"]
    default = lambda cls, name: inspect.signature(cls.__init__).parameters[name].default
    assert aug["max_transforms"] == default(augment.AugmentChain, "max_transforms")
    assert aug["pitch_shift_semitones"] == [-default(augment.PitchShift, "max_semitones"), default(augment.PitchShift, "max_semitones")]
    assert tuple(aug["time_stretch"]) == default(augment.TimeStretch, "rate_range")
    assert tuple(aug["snr_db"]) == default(augment.AddNoise, "snr_db_range")
    assert tuple(aug["gain_db"]) == default(augment.Gain, "gain_db_range")
    assert aug["mp3_kbps"] == [min(augment.MP3_BITRATES), max(augment.MP3_BITRATES)]
