"""Checks of text cells that the eye misses: mojibake (a file read in the wrong encoding and
saved again), control and invisible characters pasted from Word, Cyrillic letters in school codes
that should be digits or Latin letters. Each gives one Russian rule naming what it is."""

from __future__ import annotations

import re

import pandas as pd

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


def text_problems(s: pd.Series, column: str) -> dict[int, str]:
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
