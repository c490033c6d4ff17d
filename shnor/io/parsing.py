"""Parsing the user's cells into canonical types (SPEC §3): every cell that cannot be read becomes
a :class:`~shnor.errors.Problem` located as the user sees it (file, sheet, row, column header as
written, value as written). Counts given as shares in per cent are restored here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from shnor.errors import Problem
from shnor.io.aliases import VALUE_ALIASES
from shnor.io.contract import (
    COLUMN_LABELS,
    JOURNAL_COUNTS,
    RESULT_COUNTS,
    SHARE_COLUMNS,
    SOCIAL_COUNTS,
    STAFF_COUNTS,
    TABLES,
    normalize,
)
from shnor.io.text_checks import CONTROL, text_problems

# Cells that mean «no value» in Russian spreadsheets.
EMPTY_MARKERS = ("", "-", "–", "—", "н/д", "нет данных")


COUNT_COLUMNS = (*RESULT_COUNTS, "students_total", *SOCIAL_COUNTS, *JOURNAL_COUNTS)


KINDS: dict[str, str] = {
    **{c: "count" for c in COUNT_COLUMNS},
    **{c: "percent_number" for shares in SHARE_COLUMNS.values() for c in shares},
    "school_id": "id",
    "year": "year", "grade": "grade", "factor": "factor",
    "procedure": "category", "subject": "category", "locality": "category", "level": "category",
    "mean_score": "number", "points": "number", "max_points": "number",
    "value": "percent_number", "target": "percent_number",
    "isbsh_group": "group", "quality_group": "group", "cluster": "group",
    # programme targets, staff, roadmap
    "direction": "category", "state": "category", "unit": "unit",
    "target_year": "year", "baseline_year": "year",
    **{c: "staff_count" for c in ("teachers", *STAFF_COUNTS)},
    "deadline": "date", "done_date": "date",
}


STAFF_COLUMNS = ("teachers", *STAFF_COUNTS)


_MONTHS = {"январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6, "июл": 7,
           "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12}


_MONTH_YEAR = re.compile(r"^(?P<month>[а-яё]+)\s+(?P<year>\d{4})(?:\s*г\.?|\s*года?)?$")


def parse_dates(s: pd.Series) -> pd.Series:
    """Dates as ISO text «YYYY-MM-DD»; NaN where the cell is not a date.

    Accepted: «31.05.2024», «2024-05-31» (also with a time, as Excel cells are read), and a
    month with a year — «май 2024», «декабрь 2024 г.» — read as the last day of that month.
    """
    out = pd.Series(np.nan, index=s.index, dtype="object")
    t = s.dropna().astype(str).str.strip()
    for fmt, pattern in (("%d.%m.%Y", r"^\d{1,2}\.\d{1,2}\.\d{4}$"),
                         ("%Y-%m-%d", r"^\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00)?)?$")):
        hit = t[t.str.match(pattern)]
        dates = pd.to_datetime(hit.str.slice(0, 10), format=fmt, errors="coerce")
        out[dates.index] = dates.dt.strftime("%Y-%m-%d").where(dates.notna(), np.nan)
    for row, text in t[out[t.index].isna()].items():
        m = _MONTH_YEAR.match(text.lower())
        month = next((n for stem, n in _MONTHS.items()
                      if m and m["month"].startswith(stem)
                      and (stem != "ма" or m["month"] in ("май", "мая"))), None)
        if month:
            end = pd.Timestamp(int(m["year"]), month, 1) + pd.offsets.MonthEnd(0)
            out[row] = end.strftime("%Y-%m-%d")
    return out


@dataclass
class SourceTable:
    """One input table as read from a CSV file or a worksheet, before parsing.

    ``raw`` has canonical column names, text cells (``""`` = empty) and the user's row numbers
    as index; ``headers`` maps each canonical column to the header as the user wrote it.
    """

    table: str
    file: str
    sheet: str | None
    headers: dict[str, str]
    raw: pd.DataFrame
    header_row: int = 1
    # cells whose problem the reader already reported (e.g. a formula without a saved value):
    # parsing treats them as unreadable, so no rule repeats the problem
    reported: set[tuple[int, str]] = field(default_factory=set)

    def problem(self, rule: str, row: int | None = None, column: str | None = None,
                value: object = None) -> Problem:
        label = self.headers.get(column, COLUMN_LABELS.get(column, column)) if column else None
        return Problem(file=self.file, sheet=self.sheet, row=row, column=label, value=value,
                       rule=rule, table=self.table)

    def raw_value(self, row: int, column: str) -> str:
        return str(self.raw.at[row, column]) if column in self.raw.columns else ""


@dataclass
class Parsed:
    """A table in canonical types (index = user row numbers) and the cells that failed to parse."""

    source: SourceTable
    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    bad_cells: set[tuple[int, str]] = field(default_factory=set)


def _clean(s: pd.Series) -> pd.Series:
    s = s.astype(object).where(s.notna(), "").astype(str)
    s = s.str.replace("\u00a0", " ", regex=False).str.strip()
    return s.where(~s.str.lower().isin(EMPTY_MARKERS))


def _number_text(s: pd.Series) -> pd.Series:
    """Digits as written, without thousands spaces, decimal comma → point."""
    plain = s.isna() | s.str.fullmatch(r"-?\d+(\.\d+)?")  # the usual case: nothing to clean
    if plain.all():
        return s
    fixed = s[~plain].str.replace(r"[\s\u202f]", "", regex=True).str.replace(",", ".")
    return s.where(plain, fixed)


def _to_float(t: pd.Series) -> pd.Series:
    return pd.to_numeric(t.astype(object), errors="coerce").astype(float)


def _parse_column(kind: str, s: pd.Series, column: str, params: dict) -> tuple[pd.Series, list]:
    """Canonical values of one column and a list of (bad mask, rule) pairs."""
    bad: list[tuple[pd.Series, str]] = []
    if kind in ("text", "id"):
        if kind == "id":
            s = s.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
        return s, bad
    if kind == "date":
        dates = parse_dates(s)
        bad.append((s.notna() & dates.isna(),
                    ("ожидается дата: «31.05.2024», «2024-05-31» или месяц с годом «май 2024»; "
                     "сроки вроде «весь период» или «ежегодно» разбейте на мероприятия с "
                     "датами")))
        return dates, bad
    if kind == "unit":  # «%» and «п.п.» canonical (a change from the baseline), others as given
        pp = s.str.lower().str.replace(r"[\s.]", "", regex=True)
        return s.where(~pp.isin(["пп", "процентныхпункта", "процентныхпунктов"]), "п.п.") \
            .where(pp != "%", "%"), bad
    if kind == "category":
        if column == "direction":
            s = s.replace({"≥": "ge", ">=": "ge", "=>": "ge", "≤": "le", "<=": "le", "=<": "le"})
        mapping = VALUE_ALIASES[column]
        canon = {v: mapping.get(normalize(v), v) for v in s.dropna().unique()}
        return s.map(canon), bad
    t = _number_text(s)
    present = t.notna()
    if kind == "year":
        academic = present & t.str.match(r"^\d{4}[/\\\-–—]\d{2,4}$")
        bad.append((academic, ("год записан как учебный год; укажите календарный год "
                               "оценочной процедуры (например, 2024 для работ весны 2024 г.)")))
        num = _to_float(t.where(~academic))
        wrong = present & ~academic & (num.isna() | (num % 1 != 0))
        bad.append((wrong, "ожидается год числом, например 2024"))
        return num.where(~wrong), bad
    if kind == "grade":
        num = _to_float(t.str.extract(r"^(\d+)(?:\.0+)?(?:-?й)?(?:класс|кл\.?)?$", expand=False)
                        .where(present))
        wrong = present & num.isna()
        bad.append((wrong, "ожидается номер класса числом, например 5"))
        return num, bad
    if kind == "factor":
        code = s.str.extract(r"^\s*(\d+)(?:\.0+)?(?:[.)]?(?:\s.*)?)?$", expand=False)
        num = _to_float(code.where(present))
        wrong = present & num.isna()
        top = params["data"]["risk_factors"]
        bad.append((wrong, f"ожидается номер фактора риска числом от 1 до {top}"))
        return num, bad
    if kind == "group":
        num = _to_float(t)
        wrong = present & (num.isna() | (num % 1 != 0))
        bad.append((wrong, "ожидается номер группы целым числом"))
        return num.where(~wrong), bad
    if kind == "staff_count":
        num = _to_float(t.where(~percent_cells(t)))
        wrong = present & num.isna()
        bad.append((wrong, "ожидается целое число педагогов (не процент и не доля)"))
        fraction = num.notna() & (num % 1 != 0)
        bad.append((fraction, "число педагогов должно быть целым"))
        return num.where(~fraction), bad
    if kind == "percent_number":  # programme values are often written «50%»: the number is kept
        t = t.str.rstrip("%")
    percent = present & t.str.endswith("%")
    num = _to_float(t.where(~percent))
    wrong = present & ~percent & num.isna()
    if kind == "count":
        bad.append((percent, "указан процент, а нужно количество обучающихся"))
        fraction = num.notna() & (num % 1 != 0)
        bad.append((wrong, "ожидается целое число (количество обучающихся)"))
        bad.append((fraction, ("количество должно быть целым числом; возможно, указаны "
                               "проценты или доли вместо количества обучающихся?")))
        return num.where(~fraction), bad
    bad.append((percent | wrong, "ожидается число"))
    return num, bad


def percent_cells(t: pd.Series) -> pd.Series:
    return t.notna() & t.astype(str).str.endswith("%")


def parse_table(src: SourceTable, params: dict) -> Parsed:
    """Convert the text cells of ``src`` to canonical types; unreadable cells become problems.

    Before parsing, every cell's text is checked: an invisible control character, text read in
    the wrong encoding («РњРљРћРЈ» for «МКОУ») or a Cyrillic letter in a school code is one
    problem naming the cell, and the cell counts as unreadable (no rule repeats it)."""
    spec = TABLES[src.table]
    out = Parsed(source=src, frame=pd.DataFrame(index=src.raw.index))
    out.bad_cells |= src.reported
    for column in spec.input_columns:
        if column not in src.raw.columns:
            continue
        s = _clean(src.raw[column])
        # the text as written (a no-break space may be half of a letter read in cp1251)
        broken = text_problems(src.raw[column][s.notna()].astype(str).str.strip(" \t\r\n"),
                                column)
        for row, rule in broken.items():
            shown = CONTROL.sub(lambda m: f"[U+{ord(m.group()):04X}]", src.raw_value(row, column))
            out.problems.append(src.problem(rule, row, column, shown))
            out.bad_cells.add((row, column))
        skip = [r for r, c in out.bad_cells if c == column]
        if skip:
            s = s.where(~s.index.isin(skip))
        values, bad = _parse_column(KINDS.get(column, "text"), s, column, params)
        for mask, rule in bad:
            for row in mask[mask].index:
                out.problems.append(src.problem(rule, row, column, src.raw_value(row, column)))
                out.bad_cells.add((row, column))
        out.frame[column] = values
    return out


def _decimals(text: str) -> int:
    m = re.search(r"[.,](\d+)", text)
    return len(m.group(1)) if m else 0


def _pc(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def restore_counts(p: Parsed, params: dict) -> list[Problem]:
    """Counts from per cent shares (``SHARE_COLUMNS``), as ФИС ОКО publishes the marks.

    Each count is the share of the participants rounded to a whole number; a count the file also
    gives is kept and the share must agree with it. The shares of a row must sum to 100 within
    ``data.percent_sum_tolerance``, and each count must reproduce its share to the precision the
    share is written with; when all the shares are given, the counts must add up to the
    participants (a count whose neighbour also reproduces its share is moved to the neighbour,
    largest remainders first). Otherwise the row gets one problem and its counts stay empty.
    """
    table = p.source.table
    shares = {s: c for s, c in SHARE_COLUMNS.get(table, {}).items() if s in p.frame.columns}
    f, src = p.frame, p.source
    if not shares or "participants" not in f.columns:
        return []
    problems: list[Problem] = []
    failed: set[int] = set()
    n = f["participants"].where(~f.index.isin([r for r, c in p.bad_cells
                                                 if c == "participants"]))
    for s in shares:
        v = f[s]
        out = v.notna() & ~v.between(0, 100)
        for row in out[out].index:
            problems.append(src.problem("доля должна быть от 0 до 100 %", row, s,
                                        src.raw_value(row, s)))
            p.bad_cells.add((row, s))
            failed.add(row)
    bad_share_rows = {r for r, c in p.bad_cells if c in shares}
    names = ", ".join(f"«{src.headers[s]}»" for s in shares)
    complete = len(shares) == len(SHARE_COLUMNS[table])
    if complete:
        frame = f[list(shares)]
        total = frame.sum(axis=1)
        tol = float(params["data"]["percent_sum_tolerance"])
        off = (frame.notna().all(axis=1) & ((total - 100).abs() > tol + 1e-9)
               & ~f.index.isin(list(bad_share_rows)))
        for row in off[off].index:
            rule = (f"доли {names} в сумме дают {_pc(total[row])} %, а не 100 % "
                    f"(допуск ±{_pc(tol)})")
            if abs(total[row] - 1) <= 0.05:
                rule += "; похоже, указаны доли единицы — укажите проценты (25 вместо 0,25)"
            problems.append(src.problem(rule, row, None, "; ".join(
                src.raw_value(row, s) for s in shares)))
            failed.add(row)
    restored: dict[str, pd.Series] = {}
    half = {}
    for s, c in shares.items():
        pct = f[s].where(~f.index.isin(list(failed | bad_share_rows)))
        ok = pct.notna() & n.notna()
        given = f[c] if c in f.columns else pd.Series(np.nan, index=f.index)
        estimate = np.floor(pct * n / 100 + 0.5)
        count = given.where(given.notna(), estimate).where(ok, given)
        dec = pd.Series([_decimals(src.raw_value(r, s)) for r in f.index], index=f.index)
        half[s] = 0.5 * 10.0 ** (-dec) + 1e-9
        wrong = ok & (n > 0) & ((100 * count / n.where(n > 0) - pct).abs() > half[s])
        for row in wrong[wrong].index:
            if pd.notna(given[row]):
                rule = (f"доля {_pc(pct[row])} % не соответствует количеству {fmt_n(given[row])} "
                        f"из {fmt_n(n[row])} участников ({_pc(100 * given[row] / n[row])} %)")
            else:
                lo, hi = np.floor(pct[row] * n[row] / 100), np.ceil(pct[row] * n[row] / 100)
                rule = (f"доля {_pc(pct[row])} % не получается ни при каком целом числе из "
                        f"{fmt_n(n[row])} участников (ближайшие: {fmt_n(lo)} — "
                        f"{_pc(100 * lo / n[row])} %, {fmt_n(hi)} — {_pc(100 * hi / n[row])} %); "
                        "проверьте долю и число участников")
            problems.append(src.problem(rule, row, s, src.raw_value(row, s)))
            failed.add(row)
        restored[s] = count
    if complete:
        counts = pd.DataFrame({s: restored[s] for s in shares})
        from_shares = pd.DataFrame({s: f[s].notna() & (f[shares[s]].isna() if shares[s] in f
                                                       else True) for s in shares})
        gap = n - counts.sum(axis=1)
        fix = (counts.notna().all(axis=1) & (gap != 0) & (n > 0)
               & ~f.index.isin(list(failed)))
        for row in fix[fix].index:
            step = 1 if gap[row] > 0 else -1
            exact = {s: f.at[row, s] * n[row] / 100 for s in shares}
            movable = sorted(
                (s for s in shares if from_shares.at[row, s]
                 and abs(100 * (counts.at[row, s] + step) / n[row] - f.at[row, s]) <= half[s][row]
                 and counts.at[row, s] + step >= 0),
                key=lambda s: -step * (exact[s] - counts.at[row, s]))
            if len(movable) < abs(gap[row]):
                problems.append(src.problem(
                    f"по долям {names} количества не восстанавливаются: их сумма "
                    f"({fmt_n(counts.loc[row].sum())}) не равна числу участников "
                    f"({fmt_n(n[row])}); "
                    "укажите количества или доли с большей точностью", row, None,
                    "; ".join(src.raw_value(row, s) for s in shares)))
                failed.add(row)
                continue
            for s in movable[:int(abs(gap[row]))]:
                restored[s].at[row] = counts.at[row, s] + step
    for s, c in shares.items():
        f[c] = restored[s].where(~f.index.isin(list(failed)))
        p.bad_cells |= {(row, c) for row in failed}
    return problems


def fmt_n(x: float) -> str:
    return f"{x:g}"


def text_grid(rows: list[list], index) -> pd.DataFrame:
    """Rows of text cells as a frame; short rows padded with empty cells."""
    width = max(map(len, rows), default=0)
    rows = [r if len(r) == width else list(r) + [""] * (width - len(r)) for r in rows]
    return pd.DataFrame(rows, index=index, dtype=object)
