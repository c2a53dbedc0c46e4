"""Build hook: compile the scorer's hot modules with mypyc (the metadata is in pyproject.toml).

Best effort: with QUALIBOT_COMPILE=0, or should mypyc or the C compiler fail, the package
installs as plain Python, and `scoring.native` imports the sources.
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path
from typing import Any

from setuptools import setup


def compiled_scorer() -> list[Any]:
    if os.environ.get("QUALIBOT_COMPILE", "1") == "0":
        return []
    native = runpy.run_path("scoring/native.py")
    digest = native["source_digest"](Path("scoring"))
    Path("scoring", f"{native['DIGEST_MODULE']}.py").write_text(
        f'"""Written by setup.py: what the compiled scorer was built from."""\n\n'
        f'DIGEST = "{digest}"\n'
    )
    modules = [*native["COMPILED_MODULES"], native["DIGEST_MODULE"]]
    try:
        from mypyc.build import mypycify

        sources = [f"scoring/{name}.py" for name in modules]
        extensions = mypycify(sources, group_name="qualibot_scoring")
    except (Exception, SystemExit) as exc:  # mypyc exits on a type error
        print(f"warning: scorer not compiled ({exc!r}); it runs as Python", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True  # a failed C compile leaves plain Python, not a failed install
    return extensions


setup(ext_modules=compiled_scorer())
