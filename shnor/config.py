"""Methodology parameters: defaults from ``methodology.yaml``, a profile, a user override file.

Parameters are plain nested dicts. :func:`load_config` merges defaults, the named profile and
the user's file, rejecting unknown keys with a Russian message; :func:`parameter_table` lists
every parameter with the source comment written next to it in the YAML.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pandas as pd
import yaml

from shnor.errors import UserError
from shnor.paths import METHODOLOGY_FILE

DEFAULT_PROFILE = "sverdlovsk"


def _read_yaml(path: Path) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"Файл параметров «{path}» не найден.") from None
    except UnicodeDecodeError:
        raise UserError(f"Файл параметров «{path}» должен быть в кодировке UTF-8.") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", строка {mark.line + 1}" if mark else ""
        raise UserError(f"Файл параметров «{path}»{where}: ошибка синтаксиса YAML.") from None
    if not isinstance(data, dict):
        raise UserError(f"Файл параметров «{path}»: ожидается набор «параметр: значение».")
    return data


def _merge(base: dict, override: dict, origin: str, prefix: str = "") -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        path = f"{prefix}{key}"
        if key not in base:
            raise UserError(
                f"{origin}: неизвестный параметр «{path}». "
                f"Допустимые параметры раздела: {', '.join(map(str, base)) or '—'}."
            )
        if isinstance(base[key], dict) and base[key] and not isinstance(value, dict):
            raise UserError(f"{origin}: параметр «{path}» должен быть разделом, а не значением.")
        if isinstance(base[key], dict) and base[key] and isinstance(value, dict):
            out[key] = _merge(base[key], value, origin, f"{path}.")
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_config(profile: str | None = None, config_file: str | Path | None = None) -> dict:
    """Return the methodology parameters: defaults, then ``profile``, then ``config_file``."""
    raw = _read_yaml(METHODOLOGY_FILE)
    profiles = raw.pop("profiles", {}) or {}
    name = profile or DEFAULT_PROFILE
    if name not in profiles:
        raise UserError(
            f"Неизвестный профиль «{name}». Доступные профили: {', '.join(sorted(profiles))}."
        )
    params = _merge(raw, profiles[name] or {}, f"Профиль «{name}»")
    if config_file is not None:
        user = _read_yaml(Path(config_file))
        params = _merge(params, user, f"Файл параметров «{config_file}»")
    params["profile"] = name
    return params


_LINE = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][\w]*):(?P<rest>[^#]*)(#\s*(?P<comment>.*))?$")


def _source_comments() -> dict[str, str]:
    """Map dotted parameter paths of the defaults to the comment written after them."""
    comments: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in METHODOLOGY_FILE.read_text(encoding="utf-8").splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        indent = len(m["indent"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, m["key"]))
        if m["comment"]:
            comments[".".join(k for _, k in stack)] = m["comment"].strip()
    return comments


def _flatten(d: dict, prefix: str = "") -> list[tuple[str, object]]:
    rows = []
    for key, value in d.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            rows += _flatten(value, f"{path}.")
        else:
            rows.append((path, value))
    return rows


def parameter_table(params: dict, sections: list[str] | None = None) -> pd.DataFrame:
    """The parameters a report used, with their sources: columns parameter, value, source."""
    comments = _source_comments()
    rows = []
    for path, value in _flatten(params):
        section = path.split(".")[0]
        if sections is not None and section not in sections and section != "profile":
            continue
        source = comments.get(path)
        if source is None and "." in path:
            source = comments.get(path.rsplit(".", 1)[0], "")
        rows.append({"parameter": path, "value": _fmt(value), "source": source or ""})
    return pd.DataFrame(rows, columns=["parameter", "value", "source"])


def _fmt(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_fmt(v) for v in value)
    if isinstance(value, bool):
        return "да" if value else "нет"
    return str(value)
