"""Packaging for pianoeval. Every field is read from settings.ini, the file nbdev reads too."""
from configparser import ConfigParser
from pathlib import Path

import setuptools

here = Path(__file__).parent
cfg = ConfigParser(delimiters=["="])
cfg.read(here / "settings.ini", encoding="utf-8")
cfg = cfg["DEFAULT"]

required = ["version", "description", "keywords", "author", "author_email", "license", "min_python", "lib_name", "git_url"]
missing = [k for k in required if k not in cfg]
if missing:
    raise SystemExit(f"settings.ini lacks {missing}: add them under [DEFAULT].")

spdx_licenses = {"apache2": "Apache-2.0"}  # an SPDX expression; licence classifiers are deprecated
statuses = ["1 - Planning", "2 - Pre-Alpha", "3 - Alpha", "4 - Beta", "5 - Production/Stable", "6 - Mature", "7 - Inactive"]
py_versions = "3.10 3.11 3.12 3.13".split()
min_python = cfg["min_python"]

readme = here / "README.md"
setuptools.setup(
    name=cfg["lib_name"],
    version=cfg["version"],
    description=cfg["description"],
    long_description=readme.read_text(encoding="utf-8") if readme.exists() else cfg["description"],
    long_description_content_type="text/markdown",
    url=cfg["git_url"],
    author=cfg["author"],
    author_email=cfg["author_email"],
    license=spdx_licenses[cfg["license"]],
    keywords=cfg["keywords"],
    classifiers=[
        "Development Status :: " + statuses[int(cfg["status"]) - 1],
        "Intended Audience :: Science/Research",
        "Natural Language :: English",
        "Topic :: Multimedia :: Sound/Audio :: Analysis",
    ] + ["Programming Language :: Python :: " + v for v in py_versions[py_versions.index(min_python):]],
    # configs/ (the YAML contracts and recipes) is installed inside the package as pianoeval/configs, so an installed
    # copy finds it without a checkout (pianoeval.core.config_dir looks in both places).
    packages=setuptools.find_packages(include=[cfg["lib_name"], cfg["lib_name"] + ".*"]) + [cfg["lib_name"] + ".configs"],
    package_dir={cfg["lib_name"] + ".configs": "configs"},
    include_package_data=True,
    # assets/models/<name>/ holds the shipped linear models (pianoeval.linear.load_shipped): "assets/*" alone would
    # leave those nested folders out of the wheel.
    package_data={cfg["lib_name"]: ["assets/*", "assets/models/*/*"], cfg["lib_name"] + ".configs": ["*.yaml"]},
    install_requires=cfg.get("requirements", "").split(),
    extras_require={"dev": cfg.get("dev_requirements", "").split(), "demo": cfg.get("demo_requirements", "").split()},
    python_requires=">=" + min_python,
    zip_safe=False,
    entry_points={
        "console_scripts": cfg.get("console_scripts", "").split(),
        "nbdev": [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"],
    },
)
