"""Validation of input tables: parsing the user's cells, pandera checks, cross-table checks.

:mod:`shnor.io.loading` reads files into :class:`SourceTable` objects (cells as text, indexed by the
row number the user sees). Here each table is parsed into canonical types — every cell that
cannot be read becomes a :class:`~shnor.errors.Problem` — then checked with a pandera schema
(``lazy=True``: all failures at once) and against the other tables. Problems are located as the
user sees them: file, sheet, row, the column header as written, the value as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from shnor.errors import Problem
from shnor.io.contract import (
    ALLOWED_VALUE_LABELS,
    CHANGE_UNITS,
    COLUMN_LABELS,
    JOURNAL_COUNTS,
    PROCEDURE_LABELS,
    PROCEDURES,
    RESULT_COUNTS,
    SHARE_COLUMNS,
    SOCIAL_COUNTS,
    STAFF_COUNTS,
    STAFF_OF_TEACHERS,
    SUBJECT_LABELS,
    TABLES,
    VALUE_ALIASES,
    normalize,
)

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


# --- text of the cells: invisible characters, wrong encodings, Cyrillic in codes -------------

# Control and invisible characters (pasted from Word or a web page): U+0000–U+001F except tab,
# line feed and carriage return, U+007F, soft hyphen, zero-width and direction marks, BOM. They
# make equal codes differ and cannot be written to an Excel file.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\u200b-\u200f\u202a-\u202e"
                     "\u2060-\u2064\ufeff]")
_CONTROL_NAMES = {"\u00ad": "мягкий перенос", "\u200b": "пробел нулевой ширины",
                  "\u200c": "разделитель нулевой ширины", "\u200d": "соединитель нулевой ширины",
                  "\u200e": "знак направления текста", "\u200f": "знак направления текста",
                  "\u2060": "соединитель слов", "\ufeff": "метка порядка байтов (BOM)",
                  "\x00": "нулевой символ", "\x7f": "символ удаления"}

# UTF-8 text read as cp1251: «Р» or «С» and a cp1251 character of the bytes 0x80–0xBF (the second
# byte of a UTF-8 Cyrillic letter): «РњРљРћРЈ» for «МКОУ».
MOJIBAKE = re.compile("[РС][" + re.escape(bytes(range(0x80, 0xC0)).decode("cp1251", "ignore"))
                      + "]")
# cp1251 text read as Latin-1/cp1252 («Øêîëà» for «Школа») and UTF-8 read as Latin-1 («Ð¨Ðº»).
_LATIN1_CP1251 = re.compile("[\u00c0-\u00ff]{3,}")
# byte 0x98 (the second byte of «И», «и», «ш»…) is undefined in cp1251: «�» or U+0098 instead
_CP1251_PAIR = re.compile(MOJIBAKE.pattern[:-1] + "\ufffd\u0098]")
_LATIN1_UTF8 = re.compile("[\u00d0\u00d1][\u0080-\u00bf]")
_CYRILLIC = re.compile("[А-Яа-яЁё]")


def _undo(text: str, wrote: str, read: str) -> str | None:
    """``text`` decoded back (bytes written in ``wrote``, read as ``read``), when that works."""
    try:
        if wrote == "cp1251":
            data = b"".join(b"\x98" if ch in "\ufffd\u0098" else ch.encode(wrote) for ch in text)
        else:
            data = text.encode(wrote)
        out = data.decode(read)
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    return out if _CYRILLIC.search(out) else None


def mojibake(text: str) -> tuple[bool, str | None]:
    """Whether ``text`` looks like text read in the wrong encoding, and what it probably was."""
    letters = len(re.sub(r"\s", "", text)) or 1
    hits = _CP1251_PAIR.findall(text)
    if hits and 4 * len(hits) >= letters:  # the pairs cover at least half of the text
        return True, _undo(text, "cp1251", "utf-8")
    if "\ufffd" in text:
        return True, None
    hits = _LATIN1_UTF8.findall(text)
    if hits and 4 * len(hits) >= letters:
        return True, _undo(text, "latin-1", "utf-8")
    run = sum(len(m) for m in _LATIN1_CP1251.findall(text))
    if run and 2 * run >= letters:
        for wrote in ("cp1252", "latin-1"):
            guess = _undo(text, wrote, "cp1251")
            if guess:
                return True, guess
    return False, None


def _control_rule(text: str) -> str:
    i, ch = next((i, ch) for i, ch in enumerate(text) if CONTROL.match(ch))
    name = _CONTROL_NAMES.get(ch, "управляющий символ")
    return (f"в ячейке невидимый символ U+{ord(ch):04X} ({name}, позиция {i + 1}): обычно он "
            "попадает при копировании из Word или с сайта; удалите его")


_DIGIT_LIKE = {"О": "0", "о": "0", "З": "3", "з": "3", "б": "6"}
_LATIN_LIKE = dict(zip("АВСЕНКМОРТХаеорсухкмт", "ABCEHKMOPTXaeopcyxkmt"))


def _cyrillic_id_rule(code: str) -> str:
    found = [(i, ch) for i, ch in enumerate(code) if _CYRILLIC.match(ch)]
    i, ch = found[0]
    like = [f"цифра «{_DIGIT_LIKE[ch]}»"] if ch in _DIGIT_LIKE else []
    like += [f"латинская буква «{_LATIN_LIKE[ch]}»"] if ch in _LATIN_LIKE else []
    hint = ("вероятно, это " + " или ".join(like)) if like else "замените её"
    more = f" (и ещё {len(found) - 1} таких букв)" if len(found) > 1 else ""
    return (f"в коде ОО буква кириллицы «{ch}» на позиции {i + 1}{more}: код ОО состоит из "
            f"цифр и латинских букв; {hint}")


def id_variants(code: str) -> set[str]:
    """The codes a code with Cyrillic look-alike letters was probably meant to be."""
    digits = "".join(_DIGIT_LIKE.get(ch, _LATIN_LIKE.get(ch, ch)) for ch in code)
    latin = "".join(_LATIN_LIKE.get(ch, _DIGIT_LIKE.get(ch, ch)) for ch in code)
    return {digits, latin}


_SUSPECT = re.compile("|".join(r.pattern for r in (MOJIBAKE, _LATIN1_CP1251, _LATIN1_UTF8))
                      + "|\ufffd")


def _text_problems(s: pd.Series, column: str) -> dict[int, str]:
    """Row -> rule for the cells of one column whose text is broken (see :func:`parse_table`).

    Each distinct text is judged once (a column of 600,000 rows has few of them)."""
    texts = pd.Series(s.astype(str).unique())
    rules: dict[str, str] = {}
    for text in texts[texts.str.contains(CONTROL)]:
        rules[text] = _control_rule(text)
    broken = []
    for text in texts[texts.str.contains(_SUSPECT)]:
        bad, guess = mojibake(text)
        if bad and text not in rules:
            broken.append((text, guess))
    many = s.isin([text for text, _ in broken]).sum() > 5  # then one kind of problem, no guesses
    for text, guess in broken:
        said = f": вероятно, должно быть «{guess}»" if guess and not many else ""
        rules[text] = (f"текст выглядит искажённым — он прочитан в неверной кодировке{said}; "
                       "исправьте текст или сохраните файл заново в UTF-8")
    if column == "school_id":
        for text in texts[texts.str.contains(_CYRILLIC)]:
            rules.setdefault(text, _cyrillic_id_rule(text))
    if not rules:
        return {}
    hit = s.astype(str).map(rules)
    return hit.dropna().to_dict()


# --- parsing ---------------------------------------------------------------------------------

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
        broken = _text_problems(src.raw[column][s.notna()].astype(str).str.strip(" \t\r\n"),
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


# --- per cent shares of marks → counts ---------------------------------------------------------

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
                rule = (f"доля {_pc(pct[row])} % не соответствует количеству {_n(given[row])} "
                        f"из {_n(n[row])} участников ({_pc(100 * given[row] / n[row])} %)")
            else:
                lo, hi = np.floor(pct[row] * n[row] / 100), np.ceil(pct[row] * n[row] / 100)
                rule = (f"доля {_pc(pct[row])} % не получается ни при каком целом числе из "
                        f"{_n(n[row])} участников (ближайшие: {_n(lo)} — "
                        f"{_pc(100 * lo / n[row])} %, {_n(hi)} — {_pc(100 * hi / n[row])} %); "
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
                    f"({_n(counts.loc[row].sum())}) не равна числу участников ({_n(n[row])}); "
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


# --- pandera checks --------------------------------------------------------------------------

@dataclass(frozen=True)
class RowRule:
    """A rule over several columns of one row; ``ok`` is vectorised, ``message`` formats one row."""

    name: str
    column: str
    ok: Callable[[pd.DataFrame], pd.Series]
    message: Callable[[pd.Series], str]


def _n(x: float) -> str:
    return f"{x:g}"


def _allowed(column: str) -> str:
    return ", ".join(ALLOWED_VALUE_LABELS[column])


COLUMN_RULES: dict[str, str] = {
    "negative": "количество не может быть отрицательным",
    "year_range": "год вне допустимого диапазона {year_min}–{year_max}",
    "procedure_values": "неизвестная процедура; допустимо: " + _allowed("procedure"),
    "subject_values": "неизвестный предмет; допустимо: " + _allowed("subject"),
    "locality_values": "неизвестный тип местности; допустимо: " + _allowed("locality"),
    "level_values": "неизвестная значимость фактора риска; допустимо: " + _allowed("level"),
    "factor_range": "номер фактора риска должен быть от 1 до {risk_factors}",
    "mean_score_range": "средний балл должен быть от 0 до {mean_score_max}",
    "points_negative": "баллы не могут быть отрицательными",
    "direction_values": "неизвестное направление цели; допустимо: " + _allowed("direction"),
    "state_values": "неизвестный статус выполнения; допустимо: " + _allowed("state"),
    "staff_negative": "число педагогов не может быть отрицательным",
    "isbsh_group_range": "группа ИСБШ должна быть от 1 до {isbsh_group}",
    "quality_group_range": "группа качества должна быть от 1 до {quality_group}",
    "cluster_range": "номер кластера должен быть от 1 до {cluster} (число кластеров методики)",
}


def _group_ranges(params: dict) -> dict[str, int]:
    """The largest ИСБШ group, quality group and cluster number of the methodology."""
    return {"isbsh_group": int(params["isbsh"]["n_groups"]),
            "quality_group": int(params["quality"]["n_groups"]),
            "cluster": int(params["clustering"]["n_clusters"])}


def _marks_sum_message(r: pd.Series) -> str:
    total = sum(r[c] for c in ("n_fail", "n_mark3", "n_mark4", "n_mark5"))
    text = (f"сумма отметок «2», «3», «4», «5» ({_n(total)}) не равна числу участников "
            f"({_n(r['participants'])})")
    if total == 100 and r["participants"] != 100:
        text += ("; похоже, указаны проценты, а нужны количества обучающихся (доли можно "
                 "дать в столбцах с заголовками «% 2», «% 3», «% 4», «% 5»)")
    return text


def _assessment_rules(params: dict) -> list[RowRule]:
    """Grade and subject possible for the procedure (results and journal comparison)."""
    grades = params["data"]["grades"]
    allowed_pairs = {f"{p}:{float(g)}" for p, gs in grades.items() for g in gs}
    rules = [
        RowRule(
            "grade_for_procedure", "grade",
            lambda d: ~(d["procedure"].isin(list(grades)) & d["grade"].notna()
                        & ~(d["procedure"] + ":" + d["grade"].astype(str)).isin(allowed_pairs)),
            lambda r: f"{_n(r['grade'])} класс невозможен для "
                      f"{PROCEDURE_LABELS[r['procedure']]}; допустимые классы: "
                      + ", ".join(map(str, grades[r["procedure"]])),
        ),
        RowRule(
            "subject_for_procedure", "subject",
            lambda d: ~(d["subject"].isin(["math_base", "math_profile"])
                        & d["procedure"].isin([p for p in PROCEDURES if p != "EGE"])),
            lambda r: f"предмет «{SUBJECT_LABELS[r['subject']]}» бывает только в ЕГЭ, "
                      f"а указано {PROCEDURE_LABELS[r['procedure']]}; для ВПР, ОГЭ и РДР укажите "
                      "«математика»",
        ),
    ]
    return rules


def _results_rules(params: dict, columns: set[str]) -> list[RowRule]:
    rules = _assessment_rules(params)
    for col, label in (("n_fail", "не преодолели порог"), ("n_high", "высокобалльников")):
        if col in columns:
            rules.append(RowRule(
                f"{col}_le_participants", col,
                lambda d, col=col: ~((d[col] > d["participants"]) & (d["participants"] > 0)),
                lambda r, col=col, label=label: f"{label}: {_n(r[col])} — больше, чем участников "
                                                f"({_n(r['participants'])})",
            ))
    present = [c for c in ("n_fail", "n_mark3", "n_mark4", "n_mark5") if c in columns]
    if len(present) == 4:
        rules.append(RowRule(
            "marks_sum", "participants",
            lambda d: ~((d[present] >= 0).all(axis=1) & (d["participants"] > 0)
                        & (d[present].sum(axis=1) != d["participants"])),
            _marks_sum_message,
        ))
    if "n_fail" in columns or "mean_score" in columns:
        rules.append(RowRule(
            "zero_participants", "participants",
            lambda d: ~((d["participants"] == 0)
                        & ((d.get("n_fail", 0) > 0) | d.get("mean_score", pd.Series(
                            np.nan, index=d.index)).notna())),
            lambda r: "участников 0, но указаны результаты (не преодолевшие порог или средний "
                      "балл)",
        ))
    return rules


def _journal_rules(params: dict, columns: set[str]) -> list[RowRule]:
    rules = _assessment_rules(params)
    present = [c for c in JOURNAL_COUNTS if c in columns]
    for col in present:
        rules.append(RowRule(
            f"{col}_le_participants", col,
            lambda d, col=col: ~((d[col] > d["participants"]) & (d["participants"] > 0)),
            lambda r, col=col: f"«{COLUMN_LABELS[col]}»: {_n(r[col])} — больше, чем участников "
                               f"({_n(r['participants'])})",
        ))
    if len(present) == 3:
        rules.append(RowRule(
            "journal_sum", "participants",
            lambda d: ~((d[present] >= 0).all(axis=1) & (d["participants"] > 0)
                        & (d[present].sum(axis=1) != d["participants"])),
            lambda r: "сумма «понизили», «подтвердили», «повысили» ("
                      + _n(sum(r[c] for c in JOURNAL_COUNTS))
                      + f") не равна числу участников ({_n(r['participants'])})",
        ))
    return rules


def _social_rules(columns: set[str]) -> list[RowRule]:
    return [
        RowRule(
            f"{col}_le_total", col,
            lambda d, col=col: ~(d[col] > d["students_total"]),
            lambda r, col=col: f"«{COLUMN_LABELS[col]}»: {_n(r[col])} — больше, чем всего "
                               f"обучающихся ({_n(r['students_total'])})",
        )
        for col in SOCIAL_COUNTS if col in columns
    ]


def _programme_rules(params: dict, columns: set[str]) -> list[RowRule]:
    default = params["monitoring"]["programme"]["indicator_max_points"]

    def upper(d: pd.DataFrame) -> pd.Series:
        if "max_points" in d.columns:
            return d["max_points"].fillna(default)
        return pd.Series(float(default), index=d.index)

    return [RowRule(
        "points_le_max", "points",
        lambda d: ~(d["points"] > upper(d)),
        lambda r: "баллы больше максимума для показателя ("
                  + _n(r["max_points"] if pd.notna(r.get("max_points", np.nan)) else default)
                  + ")",
    )]


def _target_rules(columns: set[str]) -> list[RowRule]:
    """A target of the programme table is comparable: a direction, and for a change from a
    baseline year its unit (% of the baseline or п.п.) and the year it is due by."""
    def col(d: pd.DataFrame, c: str) -> pd.Series:
        return d[c] if c in d.columns else pd.Series(np.nan, index=d.index, dtype="object")

    has_target = lambda d: col(d, "target").notna()
    change = lambda d: col(d, "baseline_year").notna()
    rules = []
    if "target" in columns and ({"direction", "unit", "target_year", "baseline_year"}
                                & columns):
        rules.append(RowRule(
            "target_direction", "direction",
            lambda d: ~(has_target(d) & col(d, "direction").isna()),
            lambda r: "целевое значение указано без направления: укажите «≥» (не менее) или "
                      "«≤» (не более)"))
    if "baseline_year" in columns:
        rules += [
            RowRule("target_change_unit", "unit",
                    lambda d: ~(change(d) & ~col(d, "unit").isin(list(CHANGE_UNITS))),
                    lambda r: "цель задана как изменение от базового года "
                              f"{_n(r['baseline_year'])}: укажите единицу «%» (процент от "
                              "значения базового года) или «п.п.» (процентные пункты)"),
            RowRule("target_change_year", "target_year",
                    lambda d: ~(change(d) & col(d, "target_year").isna()),
                    lambda r: "цель задана как изменение от базового года: укажите год "
                              "достижения цели"),
            RowRule("target_change_target", "target",
                    lambda d: ~(change(d) & col(d, "target").isna()),
                    lambda r: "указан базовый год, но нет целевого изменения"),
            RowRule("baseline_before_target", "baseline_year",
                    lambda d: ~(change(d) & (col(d, "target_year") <= col(d, "baseline_year"))),
                    lambda r: f"базовый год {_n(r['baseline_year'])} не раньше года достижения "
                              f"цели {_n(r['target_year'])}"),
        ]
    return rules


def _staff_rules(columns: set[str]) -> list[RowRule]:
    """Counts of teachers with a category, an age, a training are at most the teachers."""
    rules = [
        RowRule(
            f"{c}_le_teachers", c,
            lambda d, c=c: ~(d[c] > d["teachers"]),
            lambda r, c=c: f"«{COLUMN_LABELS[c]}»: {_n(r[c])} — больше, чем педагогов "
                           f"({_n(r['teachers'])})",
        )
        for c in STAFF_OF_TEACHERS if c in columns
    ]
    if {"highest_category", "first_category"} <= columns:
        rules.append(RowRule(
            "categories_le_teachers", "first_category",
            lambda d: ~(d["highest_category"].fillna(0) + d["first_category"].fillna(0)
                        > d["teachers"]),
            lambda r: f"педагогов с высшей ({_n(r['highest_category'])}) и первой "
                      f"({_n(r['first_category'])}) категорией больше, чем педагогов "
                      f"({_n(r['teachers'])})"))
    return rules


def _roadmap_rules(params: dict, columns: set[str]) -> list[RowRule]:
    """A measure is not done before the programme started
    (``monitoring.roadmap.programme_start``)."""
    start = str(params["monitoring"]["roadmap"]["programme_start"])
    rules = []
    if "done_date" in columns:
        rules.append(RowRule(
            "done_after_start", "done_date",
            lambda d: ~(d["done_date"].notna() & (d["done_date"].astype(str) < start)),
            lambda r: f"дата выполнения {_iso_ru(r['done_date'])} раньше начала программы "
                      f"({_iso_ru(start)})"))
        if "state" in columns:
            rules.append(RowRule(
                "done_state", "state",
                lambda d: ~(d["done_date"].notna() & d["state"].isin(["not_done"])),
                lambda r: f"указана дата выполнения {_iso_ru(r['done_date'])}, но статус "
                          "«не выполнено»"))
    return rules


def _iso_ru(text: object) -> str:
    y, m, d = str(text)[:10].split("-")
    return f"{d}.{m}.{y}"


def _schema(table: str, columns: set[str], params: dict) -> tuple[pa.DataFrameSchema, list[RowRule]]:
    spec = TABLES[table]
    data = params["data"]
    col_checks: dict[str, list[pa.Check]] = {c: [] for c in columns}
    for c in columns & set(COUNT_COLUMNS):
        col_checks[c].append(pa.Check(lambda s: ~(s < 0), name="negative"))
    if "year" in columns:
        col_checks["year"].append(pa.Check(
            lambda s: s.isna() | s.between(data["year_min"], data["year_max"]), name="year_range"))
    for c in set(STAFF_COLUMNS) & columns:
        col_checks[c].append(pa.Check(lambda s: ~(s < 0), name="staff_negative"))
    for c in ("target_year", "baseline_year"):
        if c in columns:
            col_checks[c].append(pa.Check(
                lambda s: s.isna() | s.between(data["year_min"], data["year_max"]),
                name="year_range"))
    for c in ("procedure", "subject", "locality", "level", "direction", "state"):
        if c in columns:
            allowed = list(VALUE_ALIASES[c].values())
            col_checks[c].append(pa.Check(lambda s, a=allowed: s.isna() | s.isin(a),
                                          name=f"{c}_values"))
    if "factor" in columns:
        col_checks["factor"].append(pa.Check(
            lambda s: s.isna() | s.between(1, data["risk_factors"]), name="factor_range"))
    if "mean_score" in columns:
        col_checks["mean_score"].append(pa.Check(
            lambda s: s.isna() | s.between(0, data["mean_score_max"]), name="mean_score_range"))
    for c, top in _group_ranges(params).items():
        if c in columns:
            col_checks[c].append(pa.Check(lambda s, top=top: s.isna() | s.between(1, top),
                                          name=f"{c}_range"))
    if table == "programme" and "points" in columns:
        col_checks["points"].append(pa.Check(lambda s: ~(s < 0), name="points_negative"))

    nullable_ok = (set(spec.optional) | set(spec.input_only)
                   | {"value", "points", "target", "school_type", "locality"})
    schema_columns = {
        c: pa.Column(checks=col_checks[c], nullable=c in nullable_ok, required=False)
        for c in columns
    }
    rules: list[RowRule] = []
    if table == "results":
        rules = _results_rules(params, columns)
    elif table == "social":
        rules = _social_rules(columns)
    elif table == "programme":
        rules = _programme_rules(params, columns)
    elif table == "journal_comparison":
        rules = _journal_rules(params, columns)
    elif table == "staff":
        rules = _staff_rules(columns)
    elif table == "roadmap":
        rules = _roadmap_rules(params, columns)
    if table == "programme":
        rules = rules + _target_rules(columns)
    schema = pa.DataFrameSchema(
        schema_columns,
        checks=[pa.Check(rule.ok, name=rule.name) for rule in rules],
        unique=[c for c in spec.key if c in columns], report_duplicates="exclude_first",
    )
    return schema, rules


def _duplicate_problems(p: Parsed, rows: list[int]) -> list[Problem]:
    spec = TABLES[p.source.table]
    key = [c for c in spec.key if c in p.frame.columns]  # roadmap: school_id may be absent
    # an optional key column (roadmap: school_id) may be empty: equal empty cells repeat a key
    frame = p.frame[key].dropna(subset=[c for c in key if c in spec.required])
    first = pd.Series(frame.index, index=frame.index).groupby(
        [frame[c] for c in key], dropna=False).transform("first")
    labels = ", ".join(p.source.headers[c] for c in key)
    return [
        p.source.problem(
            f"повторяется ключ ({labels}): такая же строка уже есть (строка {int(first[row])})",
            row, None, "; ".join(p.source.raw_value(row, c) for c in key))
        for row in rows if row in first.index
    ]


def check_table(p: Parsed, params: dict) -> list[Problem]:
    """Run the table's pandera schema (lazy) and translate every failure into a Problem."""
    columns = set(p.frame.columns)
    if not set(TABLES[p.source.table].required) <= columns or p.frame.empty:
        return []
    schema, rules = _schema(p.source.table, columns, params)
    try:
        schema.validate(p.frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        failures = exc.failure_cases
    row_rules = {r.name: r for r in rules}
    texts = {k: v.format(**params["data"], **_group_ranges(params))
             for k, v in COLUMN_RULES.items()}
    problems: list[Problem] = []
    seen: set[tuple[str, int]] = set()
    duplicates: list[int] = []
    for check, column, index in failures[["check", "column", "index"]].itertuples(index=False):
        if index is None or pd.isna(index):
            continue
        row = int(index)
        if check == "multiple_fields_uniqueness":
            if ("dup", row) not in seen:
                seen.add(("dup", row))
                duplicates.append(row)
            continue
        if check in row_rules:
            rule = row_rules[check]
            if (check, row) in seen:
                continue
            seen.add((check, row))
            problems.append(p.source.problem(rule.message(p.frame.loc[row]), row, rule.column,
                                             p.source.raw_value(row, rule.column)))
            continue
        if (row, column) in p.bad_cells:
            continue
        rule = "не заполнено обязательное поле" if check == "not_nullable" else texts[check]
        problems.append(p.source.problem(rule, row, column, p.source.raw_value(row, column)))
    return problems + _duplicate_problems(p, sorted(duplicates))


# --- cross-table checks ----------------------------------------------------------------------

def check_school_ids(parsed: dict[str, Parsed]) -> list[Problem]:
    """Every school_id of the tables other than schools must be in schools."""
    schools = parsed.get("schools")
    if schools is None or "school_id" not in schools.frame.columns:
        return []
    known = set(schools.frame["school_id"].dropna())
    unpadded = {i.lstrip("0"): i for i in known}
    # a school whose code was unreadable (e.g. a Cyrillic «О» for zero) is already reported:
    # the codes it was probably meant to be do not repeat the problem in every other table
    for row, column in schools.bad_cells:
        if column == "school_id":
            known |= id_variants(str(_clean(pd.Series([schools.source.raw_value(row, column)]))
                                     .iloc[0]))
    problems = []
    for table in ("results", "social", "risk_profiles", "lists", "reference_groups",
                  "journal_comparison", "staff", "roadmap"):
        p = parsed.get(table)
        if p is None or "school_id" not in p.frame.columns:
            continue
        ids = p.frame["school_id"]
        unknown = ids.notna() & ~ids.isin(known)
        for row, value in ids[unknown].items():
            rule = f"код ОО отсутствует в таблице «{TABLES['schools'].title}»"
            match = unpadded.get(value.lstrip("0"))
            if match is not None:
                rule += f"; возможно, потеряны ведущие нули: там есть код «{match}»"
            problems.append(p.source.problem(rule, row, "school_id", p.source.raw_value(row,
                                                                                       "school_id")))
    return problems
