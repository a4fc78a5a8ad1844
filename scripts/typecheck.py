"""Type-check the ``boardlib`` package with mypy (strict, as configured in pyproject.toml).

Usage, from anywhere in the source tree::

    python scripts/typecheck.py [extra mypy arguments]

setup.py puts two directories under the one import root (``dsp/`` is ``boardlib.dsp``,
``emulator/`` is ``boardlib.emulator``). mypy finds modules by directory and cannot follow
that renaming in the source tree, and the editable install's import hook is invisible to it.
So this script lays the installed layout out as symlinks in ``build/typing/boardlib/`` (the
entries of ``boardlib/`` plus ``dsp`` and ``emulator``), runs ``mypy -p boardlib`` on it
(``mypy_path`` in pyproject.toml points there) and prints the messages with the paths of the
real files. The links are brought up to date on every run, so new modules are always seen;
several runs at once are safe (links are only added, replaced or removed one by one).

The exit status is mypy's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / "build" / "typing"
PACKAGE = TREE / "boardlib"

#: Subpackage name inside ``boardlib`` -> directory of the source tree (setup.py's package_dir).
MAPPED = {"dsp": "dsp", "emulator": "emulator"}


def build_tree() -> None:
    """Make ``build/typing/boardlib`` hold relative symlinks to the entries of ``boardlib/``
    and to the mapped directories, and nothing else."""
    if PACKAGE.is_symlink() or PACKAGE.is_file():
        PACKAGE.unlink()
    PACKAGE.mkdir(parents=True, exist_ok=True)
    links = {
        entry.name: os.path.relpath(entry, PACKAGE)
        for entry in (ROOT / "boardlib").iterdir()
        if entry.name != "__pycache__"
    }
    for name, directory in MAPPED.items():
        links[name] = os.path.relpath(ROOT / directory, PACKAGE)
    for entry in PACKAGE.iterdir():
        if entry.name not in links and not entry.name.endswith(".tmp"):  # (another run's)
            if entry.is_symlink() or not entry.is_dir():
                entry.unlink(missing_ok=True)
            else:
                shutil.rmtree(entry, ignore_errors=True)
    for name, target in links.items():
        link = PACKAGE / name
        if link.is_symlink() and os.readlink(link) == target:
            continue
        tmp = PACKAGE / f".{name}.{os.getpid()}.tmp"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(target)
        os.replace(tmp, link)  # atomic: a concurrent run never sees the link missing


def real_paths(text: str) -> str:
    """Rewrite ``build/typing/boardlib/...`` in mypy's messages to the files of the tree."""
    prefix = re.escape(os.path.relpath(PACKAGE, ROOT)) + "/"
    mapped = "|".join(re.escape(n) for n in MAPPED)

    def repl(match: re.Match[str]) -> str:
        sub = match.group(1)
        return f"{MAPPED[sub]}/" if sub else "boardlib/"

    return re.sub(rf"(?m)^{prefix}(?:({mapped})/)?", repl, text)


def main(argv: list[str]) -> int:
    build_tree()
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    sys.stdout.write(real_paths(proc.stdout))
    sys.stderr.write(real_paths(proc.stderr))
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
