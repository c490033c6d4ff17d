"""Seed 000's three tables of the support programme: which table a school on a programme list
belongs to (seed 000, section 2, tables 1–3 and the five groups after table 7; SPEC §4.2).

Seed 000 names the schools of its programme (ШАНС) in three tables, and the schools of each
table are exactly one kind of the typology of table 7:

* table 1 — «школы с низкими результатами обучения (несправляющиеся)»;
* table 2 — «… функционирующих в неблагоприятных социальных условиях (неблагополучные)»;
* table 3 — «школы с рисками снижения образовательных результатов (резильентные)» — and the
  one «условно благополучная» school of the programme (№ 6) is there too.

So a school on a programme list of the year goes to table 1 when it is несправляющаяся, 2 when
неблагополучная and 3 for every other type. Which lists make the programme is
``support.lists``: the names of flags of the year (``low_results``, ``risk_zone``,
``unfavourable``, ``shnsu``, ``persistent``), ``official`` (every official list of the ``lists``
table for the list year) or the name of one official list.

:func:`support_table` and :func:`decide_support` are pure: they take the types and the list
membership, not a dataset, so a test can feed them seed 000's schools directly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.errors import UserError
from shnor.frames import join_texts
from shnor.school_typology import TYPES

TABLE_OF_TYPE = {"несправляющаяся": 1, "неблагополучная": 2}  # seed 000, tables 1 and 2
OTHER_TABLE = 3  # seed 000, table 3: резильентные and the rest of the programme
OFFICIAL = "official"
NO_TABLE = "таблица программы поддержки (1–3) не определена"  # ends the status of such a school
# Flags of the year that can make a programme list, with their Russian names for the reasons.
FLAG_LISTS = {"low_results": "низкие результаты", "risk_zone": "зона риска",
              "unfavourable": "неблагоприятные условия", "shnsu": "ШНСУ",
              "persistent": "устойчиво низкие"}


def support_table(school_type) -> int | None:
    """Seed 000's table (1, 2 or 3) for a school of ``school_type`` that is on a programme list:
    1 — несправляющаяся, 2 — неблагополучная, 3 — any other type; ``None`` when the type is
    unknown (``None``, empty, NA or not a type of table 7)."""
    if not isinstance(school_type, str) or school_type not in TYPES:
        return None
    return TABLE_OF_TYPE.get(school_type, OTHER_TABLE)


def decide_support(on_list, types, lists_text=None, type_why=None) -> pd.DataFrame:
    """The support table of each school: columns ``support_table`` (nullable Int64: 1–3 for a
    school on a programme list with a known type, ``<NA>`` otherwise), ``support_status`` (why a
    listed school has no table: its type is unknown; else "") and ``support_text`` (the reason
    for a school with a table).

    ``on_list``: per school, whether it is on a programme list (nullable booleans; ``<NA>`` = not
    on one as far as the data tell); ``types``: the school types of table 7 (``None`` / NA where
    unknown), same length and order; ``lists_text``: optional, the names of the lists the school
    is on (text, shown in the reason); ``type_why``: optional, why the type of a school is
    unknown (text, shown in the status). Index: that of ``on_list`` when it is a Series."""
    on = pd.Series(on_list)
    index = on.index
    on = on.astype("boolean").fillna(False).to_numpy(dtype=bool)
    kinds = pd.Series(np.asarray(types, dtype=object), index=index)  # by position
    known = kinds.isin(TYPES).to_numpy()
    number = kinds.map(TABLE_OF_TYPE).fillna(OTHER_TABLE).astype("int64")
    decided = on & known
    table = pd.array(number.to_numpy(), dtype="Int64")
    table[~decided] = pd.NA
    why = pd.Series("", index=index) if type_why is None else pd.Series(
        np.asarray(type_why, dtype=object), index=index).fillna("").astype(str)
    status = ("тип школы по таблице 7 не определён" + (" (" + why + ")").where(why != "", "")
              + ": " + NO_TABLE).where(on & ~known, "")
    text = "Программа поддержки: таблица " + number.astype(str) + " (" + kinds.astype(str)
    if lists_text is not None:
        where = pd.Series(np.asarray(lists_text, dtype=object), index=index).fillna("").astype(str)
        text = text + ("; списки: " + where).where(where != "", "")
    text = (text + ")").where(decided, "")
    return pd.DataFrame({"support_table": table,
                         "support_status": pd.array(status.to_numpy(dtype=object), dtype="str"),
                         "support_text": pd.array(text.to_numpy(dtype=object), dtype="str")},
                        index=index)


def official_list_year(year: int, params: dict) -> int:
    """The year of the ``lists`` table whose official lists belong to results of ``year``
    (``low_results.official_list_year_offset``, as :mod:`shnor.identification.official`)."""
    return int(year) + int(params["low_results"]["official_list_year_offset"])


def support_lists(params: dict, lists: pd.DataFrame | None = None) -> list[str]:
    """``support.lists``, checked: a non-empty list of flag names, ``official`` or names of
    official lists of the ``lists`` table (any year). Anything else is a Russian UserError."""
    chosen = params.get("support", {}).get("lists")
    if isinstance(chosen, str):
        chosen = [chosen]
    if not isinstance(chosen, list) or not chosen:
        raise UserError("Параметр support.lists: ожидается непустой список списков программы "
                        f"поддержки (например, [{', '.join([*FLAG_LISTS][:2])}, {OFFICIAL}]).")
    names = set() if lists is None else set(lists["list"].astype(str))
    unknown = [str(c) for c in chosen if str(c) not in {*FLAG_LISTS, OFFICIAL, *names}]
    if unknown:
        allowed = [*FLAG_LISTS, OFFICIAL, *sorted(names)]
        raise UserError(f"Параметр support.lists: неизвестный список «{', '.join(unknown)}»; "
                        f"допустимы: {', '.join(allowed)}.")
    return [str(c) for c in chosen]


def programme_membership(flags: pd.DataFrame, lists: pd.DataFrame | None, year: int,
                         params: dict) -> pd.DataFrame:
    """Which schools of ``flags`` (one row per school, any index, column ``school_id`` and the
    flag columns) are on a programme list of ``year`` (``support.lists``): columns ``on_list``
    (nullable boolean: True on a list; False when on none and every chosen flag is decided; NA
    when on none but a chosen flag is undecided) and ``lists`` (the names of the lists the school
    is on, «, »-joined), aligned to ``flags``."""
    chosen = support_lists(params, lists)
    sid = flags["school_id"].astype(str)
    on = pd.Series(False, index=flags.index)
    undecided = pd.Series(False, index=flags.index)
    parts = []
    for name in (c for c in chosen if c in FLAG_LISTS):
        flag = flags[name].astype("boolean")
        hit = flag.fillna(False).astype(bool)
        undecided |= flag.isna()
        parts.append(pd.Series(np.where(hit, FLAG_LISTS[name], ""), index=flags.index))
        on |= hit
    official = _official(lists, year, params)
    if OFFICIAL not in chosen:  # only the official lists named in support.lists
        official = official[official["list"].isin(chosen)]
    for list_name, members in official.groupby("list", sort=True)["school_id"]:
        hit = sid.isin(set(members)).to_numpy()
        parts.append(pd.Series(np.where(hit, str(list_name), ""), index=flags.index))
        on |= hit
    text = join_texts(parts, ", ") if parts else pd.Series("", index=flags.index)
    flag = pd.array(on.to_numpy(), dtype="boolean")
    flag[(~on & undecided).to_numpy()] = pd.NA
    return pd.DataFrame({"on_list": flag, "lists": pd.array(text.to_numpy(dtype=object),
                                                            dtype="str")}, index=flags.index)


def _official(lists: pd.DataFrame | None, year: int, params: dict) -> pd.DataFrame:
    """The official lists of the list year of ``year``: columns list, school_id (text)."""
    if lists is None:
        return pd.DataFrame({"list": pd.Series(dtype=str), "school_id": pd.Series(dtype=str)})
    rows = lists.loc[lists["year"] == official_list_year(year, params), ["list", "school_id"]]
    return rows.astype(str).drop_duplicates()
