"""The scale of a run as a file: ``reference.json`` (SPEC §4.9; seed 000 §2, where a municipality
sorts its schools by the groups of the regional ИРО study).

A run fits its estimators on a reference population — by default the dataset itself: the ИСБШ
(standardisation of the shares, weights, centre and scale), the quality index (the
standardisation of each indicator per assessment and the 50 / 10 scale), the ИРО clusters
(centroids and their labels) and the value-added model, together with the parameters that cut
those scales into groups and types. :class:`Reference` holds them; :meth:`Reference.to_json`
writes plain, versioned JSON (no pickles) and :func:`read_reference` reads it back, so that
``shnor run --reference FILE`` places a municipality's schools on the region's scale: a school
whose data equal those of a school of the reference run gets exactly its ИСБШ, groups, cluster
and type. ``docs/reports.md`` documents the file field by field.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from shnor.errors import UserError
from shnor.quality.clustering import IROClustering
from shnor.quality.index import QualityIndex
from shnor.social.isbsh import ISBSHIndex
from shnor.value_added import ValueAdded

FORMAT = 1
KIND = "shnor-reference"
# The methodology sections that define the scale: a run with a reference uses them as given.
SECTIONS = ("isbsh", "quality", "clustering", "typology", "value_added")
ESTIMATORS = {"isbsh": ISBSHIndex, "quality": QualityIndex, "clustering": IROClustering,
              "value_added": ValueAdded}
PART_TITLES = {"isbsh": "ИСБШ", "quality": "индекс качества", "clustering": "кластеры ИРО",
               "value_added": "модель добавленной ценности"}
REQUIRED = ("isbsh", "quality")  # without these a school cannot be placed at all
# Per-school results of the fit are data of the reference schools, not part of the scale.
NOT_SAVED = {"labels_"}


@dataclass
class Reference:
    """The fitted scale of one run.

    Parameters
    ----------
    year, profile, dataset : int, str, str
        Where the scale comes from.
    params : dict
        The methodology sections of :data:`SECTIONS` used to fit it.
    isbsh, quality : ISBSHIndex, QualityIndex
        The fitted indices of the report year.
    clustering, value_added : IROClustering or None, ValueAdded or None
        The fitted models, ``None`` when the reference run could not fit them.
    input_hashes : dict
        SHA-256 of the reference run's input files.
    shnor_version : str
        The version that wrote it.
    """

    year: int
    profile: str
    dataset: str
    params: dict
    isbsh: ISBSHIndex | None
    quality: QualityIndex | None
    clustering: IROClustering | None = None
    value_added: ValueAdded | None = None
    input_hashes: dict = field(default_factory=dict)
    shnor_version: str = ""
    schools: int = 0

    def to_json(self) -> dict:
        """The reference as plain JSON data (see ``docs/reports.md``)."""
        return {
            "format": FORMAT,
            "kind": KIND,
            "shnor_version": self.shnor_version,
            "source": {"dataset": self.dataset, "year": self.year, "profile": self.profile,
                       "schools": self.schools,
                       "input_hashes": dict(sorted(self.input_hashes.items()))},
            "parameters": _plain({s: self.params[s] for s in SECTIONS}),
            "group_edges": {s: group_edges(self.params[s]) for s in ("isbsh", "quality")},
            **{part: None if getattr(self, part) is None else _estimator(getattr(self, part))
               for part in ESTIMATORS},
        }

    def apply_to(self, params: dict) -> tuple[dict, list[str]]:
        """``params`` with the scale sections of the reference, and the sections that differed
        (so the run can say that the reference's were used)."""
        out = copy.deepcopy(params)
        changed = [s for s in SECTIONS if _plain(params.get(s)) != _plain(self.params[s])]
        out.update(copy.deepcopy({s: self.params[s] for s in SECTIONS}))
        return out, changed

    def quality_for(self, year: int) -> QualityIndex:
        """The fitted quality index applied to the rows of ``year``."""
        model = copy.copy(self.quality)
        return model.set_params(year=int(year))


def placement_warnings(reference: Reference, year: int, profile: str, assessments: pd.Index,
                       replaced: list[str]) -> list[str]:
    """What a user must know when schools of ``year`` are placed on ``reference``: another year
    or profile, parameters of the user's that the reference's replaced, assessments of the data
    the reference does not know. ``assessments``: procedure × grade × subject of the data's
    results that year. No assessment in common is a :class:`UserError`."""
    known = reference.quality.indicator_mean_.index
    grades = reference.quality.grades
    if grades is not None:  # only the assessments the quality index counts
        procedure, grade = assessments.get_level_values(0), assessments.get_level_values(1)
        assessments = assessments[[g in grades.get(p, ()) for p, g in zip(procedure, grade)]]
    common = assessments.intersection(known)
    if not len(common):
        raise UserError(f"Эталон ({reference.dataset}, {reference.year} год) не знает ни одной "
                        f"оценочной процедуры данных за {year} год: разместить школы на его "
                        "шкале нельзя. Проверьте, что эталон и данные — об одних и тех же "
                        "процедурах ВПР, ОГЭ, ЕГЭ.")
    out = []
    if reference.year != year:
        out.append(f"эталон рассчитан за {reference.year} год, а отчёт — за {year}: школы "
                   f"размещены на шкале {reference.year} года")
    if reference.profile != profile:
        out.append(f"эталон рассчитан по профилю «{reference.profile}», а отчёт — по профилю "
                   f"«{profile}»: ИСБШ, индекс качества, кластеры и типология — по эталону")
    if replaced:
        out.append("разделы параметров " + ", ".join(replaced) + " взяты из эталона, а не из "
                   "профиля или файла --config")
    unknown = assessments.difference(known)
    if len(unknown):
        names = ", ".join(" ".join(map(str, k)) for k in unknown[:5])
        out.append(f"оценочных процедур данных нет в эталоне, они не входят в индекс качества: "
                   f"{len(unknown)} ({names}{' …' if len(unknown) > 5 else ''})")
    return out


def group_edges(section: dict) -> list[float] | None:
    """Lower edges of groups 2…n on the 50 / 10 scale for band grouping (``None`` for quantile
    groups, which are ranks among the schools placed)."""
    if section.get("grouping") != "bands":
        return None
    centre = (section["n_groups"] + 1) // 2
    return [float(section["mean"] + section["sd"] * section["band_sd"] * (j - centre - 0.5))
            for j in range(2, section["n_groups"] + 1)]


def write_reference(path: Path, reference: Reference) -> Path:
    path.write_text(json.dumps(reference.to_json(), ensure_ascii=False, indent=1,
                               allow_nan=False) + "\n", encoding="utf-8")
    return path


def read_reference(path: str | Path) -> Reference:
    """Read ``reference.json``; every problem is a :class:`UserError` naming the part."""
    path = Path(path)
    where = f"Файл эталона «{path}»"
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UserError(f"{where} не найден.") from None
    except IsADirectoryError:
        raise UserError(f"{where} — это папка; укажите файл reference.json из папки отчёта "
                        "регионального расчёта.") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UserError(f"{where} не является файлом JSON: укажите reference.json из папки "
                        "отчёта регионального расчёта shnor.") from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise UserError(f"{where} — не эталон shnor (нет отметки «kind»: «{KIND}»).")
    if data.get("format") != FORMAT:
        raise UserError(f"{where}: версия формата {data.get('format')!r}, эта версия shnor "
                        f"читает версию {FORMAT}. Пересчитайте эталон этой версией shnor.")
    missing = [k for k in ("source", "parameters", *ESTIMATORS) if k not in data]
    if missing:
        raise UserError(f"{where}: нет частей {', '.join(missing)} — файл неполон.")
    try:
        source, params = data["source"], data["parameters"]
        absent = [s for s in SECTIONS if s not in params]
        if absent:
            raise UserError(f"{where}: в части «parameters» нет разделов {', '.join(absent)}.")
        parts = {}
        for part, cls in ESTIMATORS.items():
            if data[part] is None:
                if part in REQUIRED:
                    raise UserError(f"{where}: в эталоне нет части «{part}» "
                                    f"({PART_TITLES[part]}): эталонный расчёт не смог её "
                                    "построить, разместить школы на его шкале нельзя.")
                parts[part] = None
                continue
            parts[part] = _from_estimator(data[part], cls, f"{where}, часть «{part}»")
        return Reference(year=int(source["year"]), profile=str(source["profile"]),
                         dataset=str(source["dataset"]), params=params,
                         input_hashes=dict(source.get("input_hashes", {})),
                         shnor_version=str(data.get("shnor_version", "")),
                         schools=int(source.get("schools", 0)), **parts)
    except (KeyError, TypeError, ValueError) as exc:
        raise UserError(f"{where} повреждён: {type(exc).__name__} {exc}.") from None


# Estimators as JSON ----------------------------------------------------------------------------

def _estimator(est) -> dict:
    fitted = {k: _encode(v) for k, v in sorted(vars(est).items())
              if k.endswith("_") and not k.startswith("_") and k not in NOT_SAVED}
    return {"estimator": type(est).__name__, "params": _plain(est.get_params()),
            "fitted": fitted}


def _from_estimator(data: dict, cls, where: str):
    if data.get("estimator") != cls.__name__:
        raise UserError(f"{where}: ожидается {cls.__name__}, а записано "
                        f"{data.get('estimator')!r}.")
    est = cls(**data["params"])
    for key, value in data["fitted"].items():
        setattr(est, key, _decode(value))
    return est


def _encode(value):
    if isinstance(value, pd.DataFrame):
        return {"frame": {"index_names": list(value.index.names),
                          "index": [list(k) if isinstance(k, tuple) else [k]
                                    for k in value.index],
                          "columns": list(value.columns),
                          "values": _plain(value.to_numpy().tolist())}}
    if isinstance(value, np.ndarray):
        return {"ndarray": _plain(value.tolist()), "dtype": str(value.dtype)}
    return _plain(value)


def _decode(value):
    if isinstance(value, dict) and "frame" in value:
        f = value["frame"]
        index = pd.MultiIndex.from_tuples([tuple(k) for k in f["index"]], names=f["index_names"])
        if len(f["index_names"]) == 1:
            index = index.get_level_values(0)
        values = np.array(_nan(f["values"]), dtype=float).reshape(len(index), len(f["columns"]))
        return pd.DataFrame(values, index=index, columns=f["columns"])
    if isinstance(value, dict) and "ndarray" in value:
        dtype = np.dtype(value["dtype"])
        data = _nan(value["ndarray"]) if dtype.kind == "f" else value["ndarray"]
        return np.array(data, dtype=dtype)
    return value


def _plain(value):
    """JSON-safe: NaN as null, numpy scalars as Python numbers, tuples as lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _nan(value):
    if isinstance(value, list):
        return [_nan(v) for v in value]
    return np.nan if value is None else value
