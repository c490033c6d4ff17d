"""The output folders of a run: built in a temporary folder beside the target and put in its
place only when every step succeeded, so an interrupted run leaves the previous report as it was.

Before anything is computed the target is checked (:func:`check_target`) and the temporary
folder is created (:func:`temp_dir_beside`): an ``--out`` that cannot be written fails at once
with a Russian message, not after minutes of computation. A folder is replaced only if it is an
earlier report of shnor (its ``manifest.json`` lists every file in it, unchanged) — otherwise
the run stops and names the files that would be lost, unless ``--force`` is given.
"""

from __future__ import annotations

import errno
import glob
import json
import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path

from shnor.errors import UserError
from shnor.io.files import sha256

MANIFEST = "manifest.json"
# Not the user's work: what Jupyter, Windows and macOS leave in folders by themselves.
IGNORED_NAMES = {".ipynb_checkpoints", "Thumbs.db", "desktop.ini", ".DS_Store"}
SHOWN_FILES = 10  # files named in a refusal; the rest are counted


def _owner() -> str:
    """This run's mark in the names of its temporary folders: host and process."""
    return f"{re.sub(r'[^A-Za-z0-9-]', '_', socket.gethostname())}-{os.getpid()}"


def temp_dir_beside(target: Path) -> Path:
    """A new temporary folder ``.<name>.tmp-<host>-<pid>-…`` beside ``target`` (its parents
    created); a Russian :class:`UserError` when the place cannot be written (read-only, a
    path through a file)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{_owner()}-",
                                     dir=target.parent))
    except OSError as exc:
        raise UserError(f"В папку «{target.parent}» нельзя записать отчёт «{target.name}»: "
                        f"{_os_reason(exc)}. Укажите в --out папку, в которую у вас есть "
                        "право записи.") from None


OS_REASONS = {
    errno.EACCES: "нет права на запись", errno.EPERM: "нет права на запись",
    errno.EROFS: "диск или папка доступны только для чтения", errno.ENOSPC: "нет места на диске",
    errno.EEXIST: "часть пути — файл, а не папка", errno.ENOTDIR: "часть пути — файл, а не папка",
    errno.ENOENT: "папку нельзя создать", errno.ENAMETOOLONG: "слишком длинный путь",
}


def _os_reason(exc: OSError) -> str:
    return OS_REASONS.get(exc.errno, f"ошибка файловой системы ({exc.strerror or exc})")


def replace_dir(new: Path, target: Path) -> None:
    """Put ``new`` in place of ``target``: two renames, the old folder removed afterwards."""
    os.chmod(new, 0o755)  # mkdtemp creates 0700
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{_owner()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by another user
        return True
    return True


def remove_leftovers(target: Path) -> list[Path]:
    """Remove the temporary folders beside ``target`` that runs on this computer left when
    they were killed (their process is gone); return them. A folder of a run that is still
    going, or of another computer (a network folder), is left alone."""
    host = _owner().rsplit("-", 1)[0]
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(?:tmp|old)-{re.escape(host)}-(\d+)\b")
    removed = []
    for path in sorted(target.parent.glob(f".{glob.escape(target.name)}.*")):
        m = pattern.match(path.name)
        pid = int(m.group(1)) if m else None
        if pid is not None and pid != os.getpid() and not _alive(pid) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def remove_tree(path: Path, attempts: int = 50) -> None:
    """Remove a temporary folder of this run even while a thread of an interrupted run still
    writes into it (a file created after the listing makes a removal fail; the next one gets
    it, and nothing can be created in a folder already removed)."""
    for _ in range(attempts):
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            return
        time.sleep(0.1)


def _files(folder: Path) -> list[str]:
    """Every file under ``folder`` (relative POSIX paths, sorted), without :data:`IGNORED_NAMES`."""
    out = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if IGNORED_NAMES & set(rel.parts) or p.is_dir():
            continue
        out.append(rel.as_posix())
    return out


def _listed(folder: Path) -> dict[str, str] | None:
    """The files the folder's manifest lists (path → SHA-256), or None when the folder has no
    readable manifest of shnor."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    outputs = manifest.get("outputs") if isinstance(manifest, dict) else None
    if manifest.get("tool") != "shnor run" or not isinstance(outputs, dict):
        return None
    return outputs


def _named(files: list[str]) -> str:
    shown = ", ".join(f"«{f}»" for f in files[:SHOWN_FILES])
    more = len(files) - SHOWN_FILES
    return shown + (f" и ещё {more}" if more > 0 else "")


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_target(target: Path, force: bool = False, keep=()) -> None:
    """Refuse an ``--out`` that would lose something: a file, a folder the current folder, the
    home folder or an input (``keep``) is in — always; a folder holding files that an earlier
    run did not write (or that changed since) — unless ``force``."""
    target = Path(os.path.abspath(target))
    for parent in [target, *target.parents]:
        if parent.exists():
            if not parent.is_dir():
                what = "это файл" if parent == target else f"«{parent}» — это файл"
                raise UserError(f"Папку отчёта «{target}» нельзя создать: {what}, а не папка. "
                                "Укажите в --out папку.")
            break
    if not target.is_dir():
        return
    real = target.resolve()
    cwd = Path.cwd().resolve()
    if _inside(cwd, real) or real == Path.home().resolve():
        raise UserError(f"Папка «{target}» — текущая или домашняя папка (или содержит их): "
                        "отчёт заменил бы её целиком. Укажите в --out отдельную папку для "
                        "отчёта, например reports/2024.")
    for path in keep:
        if path is not None and _inside(Path(path).resolve(), real):
            raise UserError(f"В папке «{target}» лежат входные файлы («{path}»): отчёт заменил "
                            "бы её целиком. Укажите в --out другую папку.")
    files = _files(target)
    if not files or force:
        return
    listed = _listed(target)
    if listed is None:
        raise UserError(
            f"Папка «{target}» не пуста и не содержит отчёта shnor (нет manifest.json); она "
            f"была бы заменена отчётом, и были бы потеряны файлы: {_named(files)}. Укажите "
            "новую или пустую папку либо добавьте --force, чтобы заменить её.")
    own = {MANIFEST, *listed}
    extra = [f for f in files if f not in own]
    changed = [f for f in files if f in listed and sha256(target / f) != listed[f]]
    if extra or changed:
        parts = []
        if extra:
            parts.append(f"файлы, которых shnor не создавал: {_named(extra)}")
        if changed:
            parts.append(f"файлы, изменённые после расчёта: {_named(changed)}")
        raise UserError(
            f"В папке прежнего отчёта «{target}» есть {'; '.join(parts)}. Новый отчёт заменяет "
            "папку целиком, и они были бы потеряны. Перенесите их в другую папку или добавьте "
            "--force, чтобы заменить отчёт вместе с ними.")
