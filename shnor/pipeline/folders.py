"""The output folders of a run: built in a temporary folder beside the target and put in its
place only when every step succeeded, so an interrupted run leaves the previous report as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from shnor.errors import UserError


def temp_dir_beside(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))


def replace_dir(new: Path, target: Path) -> None:
    """Put ``new`` in place of ``target``: two renames, the old folder removed afterwards."""
    os.chmod(new, 0o755)  # mkdtemp creates 0700
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def check_target(target: Path) -> None:
    """Refuse to replace a folder that is neither empty nor an earlier shnor report: the new
    report takes the folder's place, and a mistyped ``--out`` must not delete user files."""
    if target.exists() and not target.is_dir():
        raise UserError(f"«{target}» — это файл, а не папка; укажите папку для отчёта.")
    if target.is_dir() and any(target.iterdir()) and not (target / "manifest.json").exists():
        raise UserError(f"Папка «{target}» не пуста и не содержит отчёта shnor (нет "
                        "manifest.json); она была бы заменена отчётом. Укажите новую или "
                        "пустую папку.")
