"""``manifest.json``: what produced a report (inputs, parameters, software, seeds, timing).

Anyone holding the report folder and the input files can check that the inputs' SHA-256
match ``dataset.input_hashes`` and that every published file matches ``outputs``.
"""

from __future__ import annotations

import json
import platform
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from shnor.io.files import sha256

PACKAGES = ("shnor", "pandas", "numpy", "scikit-learn", "scipy", "matplotlib", "seaborn",
            "pandera", "pyarrow", "openpyxl", "pyyaml", "papermill", "nbconvert", "nbclient",
            "nbformat", "ipykernel", "jupyter_client")
SEED_KEYS = ("random_state", "seed", "random_seed")


def package_versions(names=PACKAGES) -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def random_seeds(params: dict, prefix: str = "") -> dict[str, object]:
    """Every seed in the parameters, by dotted path (e.g. ``clustering.random_state``)."""
    seeds: dict[str, object] = {}
    for key, value in params.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            seeds.update(random_seeds(value, f"{path}."))
        elif key in SEED_KEYS:
            seeds[path] = value
    return seeds


def output_hashes(folder: Path, skip: tuple[str, ...] = ("manifest.json",)) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (relative POSIX paths, sorted)."""
    return {
        p.relative_to(folder).as_posix(): sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).as_posix() not in skip
    }


def build_manifest(*, dataset, year: int, params: dict, publication: bool, all_cards: bool,
                   timings: dict[str, float], started: datetime, out_dir: Path,
                   processed_dir: Path, reference: Path | None = None,
                   municipality: str | None = None, cards: dict | None = None) -> dict:
    """The manifest of a finished run whose files are in ``out_dir``; ``reference``: the
    reference.json the schools were placed on, if any; ``cards``: how the school cards were
    made (template, its hash, parameters, kernels and batches), None without cards."""
    return {
        "tool": "shnor run",
        "started_at": started.astimezone(timezone.utc).isoformat(timespec="seconds"),
        "dataset": {
            "name": dataset.name,
            "path": str(Path(dataset.path).resolve()),
            "input_hashes": dict(sorted(dataset.input_hashes.items())),
            "schools": len(dataset.schools),
            "years": dataset.years,
        },
        "year": int(year),
        "municipality": municipality,
        "profile": params.get("profile"),
        "publication": publication,
        "all_cards": all_cards,
        "cards": cards,
        "random_seeds": random_seeds(params),
        "parameters": params,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": package_versions(),
        "timing_seconds": {k: round(v, 3) for k, v in timings.items()},
        "processed_dir": str(processed_dir),
        "reference": None if reference is None else {
            "path": str(reference.resolve()), "sha256": sha256(reference)},
        "outputs": output_hashes(out_dir),
    }


def write_manifest(path: Path, manifest: dict) -> Path:
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n",
                    encoding="utf-8")
    return path
