"""The compiled scorer: which modules mypyc builds, and whether the build can be used.

`pip install` compiles the scorer's hot modules with mypyc (setup.py), about 1.6× faster.
The Python sources stay the reference: the build records a digest of the sources it
compiled (`scoring/_build_digest.py`, compiled with them), and the compiled modules are
used only when that digest matches the sources beside them. After an edit to one of
them (an editable checkout), or with `QUALIBOT_PURE_PYTHON=1`, or when no build exists,
every listed module is imported from its `.py` file instead; an outdated build is
reported with a warning. Standard library only: setup.py loads this file as it is.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

COMPILED_MODULES = (
    "alert_rules",
    "compiled",
    "decay",
    "engagement",
    "fit",
    "flags",
    "gate",
    "inputs",
    "result",
    "rounding",
    "scorer",
    "stored_rows",
    "time_windows",
)
"""Modules of `scoring` that mypyc compiles (pure, fully typed, on the hot paths)."""

DIGEST_MODULE = "_build_digest"
PURE_ENV = "QUALIBOT_PURE_PYTHON"
PACKAGE_DIR = Path(__file__).resolve().parent


def source_digest(package_dir: Path = PACKAGE_DIR) -> str:
    """SHA-256 over the compiled modules' sources, as the build records it."""
    digest = hashlib.sha256()
    for name in COMPILED_MODULES:
        digest.update(name.encode() + b"\0")
        digest.update((package_dir / f"{name}.py").read_bytes())
    return digest.hexdigest()


def _extension(package_dir: Path, name: str) -> Path | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = package_dir / f"{name}{suffix}"
        if path.exists():
            return path
    return None


def build_status(package_dir: Path = PACKAGE_DIR) -> str:
    """'compiled' (a build of exactly these sources), 'outdated' (the sources changed
    since the build) or 'none' (no complete build)."""
    if any(_extension(package_dir, name) is None for name in COMPILED_MODULES):
        return "none"
    digest_file = _extension(package_dir, DIGEST_MODULE)
    if digest_file is None:
        return "none"
    spec = importlib.util.spec_from_file_location(f"scoring.{DIGEST_MODULE}", digest_file)
    if spec is None or spec.loader is None:
        return "none"
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ImportError:  # e.g. the shared library of the build is missing
        return "none"
    try:
        current = source_digest(package_dir)
    except FileNotFoundError:  # installed without its sources: the build is all there is
        return "compiled"
    return "compiled" if current == module.DIGEST else "outdated"


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Imports the listed `scoring` modules from their `.py` files, whatever is beside them."""

    def __init__(self, package_dir: Path) -> None:
        self.package_dir = package_dir

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, name = fullname.partition(".")
        if package != "scoring" or name not in COMPILED_MODULES:
            return None
        return importlib.util.spec_from_file_location(fullname, self.package_dir / f"{name}.py")


def select(package_dir: Path = PACKAGE_DIR) -> bool:
    """Choose compiled or source modules (before any is imported); True when compiled."""
    status = "none" if os.environ.get(PURE_ENV) else build_status(package_dir)
    if status == "compiled":
        return True
    if status == "outdated":
        warnings.warn(
            "the compiled scorer was built from other sources than those in "
            f"{package_dir}: running the Python sources (slower); "
            "`pip install -e .` compiles them again",
            stacklevel=2,
        )
    sys.meta_path.insert(0, _SourceFinder(package_dir))
    return False
