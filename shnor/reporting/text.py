"""The sentences of the reports that depend on the data: summaries in Russian."""

from __future__ import annotations

import numpy as np
import pandas as pd

from shnor.identification.support import NO_TABLE
from shnor.reporting.labels import TYPE_PLURALS


def identification_summary(flags: pd.DataFrame, year: int, params: dict | None = None) -> str:
    """One paragraph with the list sizes of the year and the schools of seed 000's tables 1–3
    of the support programme, in Russian. ``params``: the methodology of the run (the rule of
    ШНСУ, ``unfavourable.rule``; default: the seed's published list, the typology's
    неблагополучные)."""
    n = len(flags)
    on = {c: int(flags[c].fillna(False).sum())
          for c in ("low_results", "risk_zone", "shnsu", "persistent")}
    change = flags["list_change"].value_counts()
    undecided = int(flags["low_results"].isna().sum())
    rule = ((params or {}).get("unfavourable") or {}).get("rule", "typology")
    shnsu = ("низкие результаты и очень низкий ИСБШ" if rule == "isbsh_group" else
             "неблагополучные по таблице 7: низкий ИСБШ и низкое качество подготовки")
    text = (f"По результатам {year} года из {n} школ {on['low_results']} "
            f"({_pct(on['low_results'], n)}) имеют низкие образовательные результаты, "
            f"{on['risk_zone']} — в зоне риска, {on['shnsu']} — ШНСУ ({shnsu}), "
            f"{on['persistent']} — устойчиво низкие. По сравнению с прошлым годом "
            f"в список вошли {int(change.get('entered', 0))}, вышли {int(change.get('left', 0))}, "
            f"остались {int(change.get('stayed', 0))}. Для {undecided} школ решение о списке не "
            "принято из-за недостатка данных (см. раздел «Что не удалось определить»).")
    if "support_table" in flags:
        t = flags["support_table"].value_counts()
        total = int(t.sum())
        text += (f" В программу поддержки входят {total} "
                 f"{_plural(total, 'школа', 'школы', 'школ')}: в таблице 1 "
                 f"(несправляющиеся) — {int(t.get(1, 0))}, в таблице 2 (неблагополучные) — "
                 f"{int(t.get(2, 0))}, в таблице 3 (резильентные и др.) — {int(t.get(3, 0))}.")
        unknown = int(flags["status"].str.contains(NO_TABLE, regex=False).sum())
        if unknown:
            text += (f" Ещё для {unknown} {_plural(unknown, 'школы', 'школ', 'школ')} списков "
                     "тип по таблице 7 не определён, и таблица программы не выбрана.")
    return text


def _pct(k: int, n: int) -> str:
    return f"{100 * k / max(n, 1):.1f} %".replace(".", ",")


def _plural(n: int, one: str, few: str, many: str) -> str:
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def overview_summary(schools: pd.DataFrame, participation: pd.DataFrame, year: int) -> str:
    """One Russian sentence about the size and coverage of the dataset in ``year``."""
    n = len(schools)
    munis = schools["municipality"].nunique()
    part = participation[participation["year"] == year]
    with_results = int((schools["assessments"] > 0).sum())
    text = (f"В наборе данных {n} {_plural(n, 'школа', 'школы', 'школ')} "
            f"в {munis} {_plural(munis, 'муниципалитете', 'муниципалитетах', 'муниципалитетах')}")
    if "locality" in schools.columns:
        counts = schools["locality"].value_counts()
        text += (f" (городских — {int(counts.get('urban', 0))}, "
                 f"сельских — {int(counts.get('rural', 0))})")
    people = int(part["participants"].sum())
    people_text = f"{people:,}".replace(",", "\u00a0")
    text += (f". За {year} год результаты есть у {with_results} "
             f"{_plural(with_results, 'школы', 'школ', 'школ')} по {len(part)} "
             f"{_plural(len(part), 'оценочной процедуре', 'оценочным процедурам', 'оценочным процедурам')}"
             f", всего {people_text} {_plural(people, 'участник', 'участника', 'участников')}.")
    return text


def differentiation_summary(tables: dict[str, pd.DataFrame]) -> str:
    """Russian sentences with the key numbers of the report (for the notebook's opening)."""
    s = tables["diff_summary"].set_index("item")["value"]
    counts = tables["diff_type_counts"]
    parts = [(f"Всего школ: {int(s['schools'])}; индекс качества рассчитан для "
              f"{int(s['with_quality'])}, ИСБШ — для {int(s['with_isbsh'])}, тип определён для "
              f"{int(s['classified'])}.")]
    if s["classified"] > 0:
        parts.append("Типы: " + ", ".join(f"{g} — {n}" for g, n in
                                          zip(counts["typology"].map(TYPE_PLURALS),
                                              counts["n_schools"])) + ".")
    if not np.isnan(s["isbsh_quality_corr"]):
        parts.append(f"Корреляция ИСБШ с индексом качества: "
                     f"{s['isbsh_quality_corr']:.2f}.".replace(".", ",", 1))
    if not np.isnan(s["k"]):
        parts.append(f"Школы разделены на {int(s['k'])} кластера; устойчивость разбиения "
                     f"(средний скорректированный индекс Рэнда по бутстреп-выборкам): "
                     f"{s['stability_ari']:.2f}.".replace(".", ",", 1))
    parts.append(f"Выше ожидаемого с учётом социального контекста: {int(s['va_above'])} школ, "
                 f"ниже ожидаемого: {int(s['va_below'])}. Признаки возможной необъективности "
                 f"ВПР (подсказки): {int(s['objectivity_schools'])} школ.")
    return " ".join(parts)


def note_on(notes: pd.DataFrame, topic: str, default: str, contains: str = "") -> str:
    """What the notes (``diff_notes``: topic, note) say on ``topic`` — only the notes holding
    ``contains``, when given — as one text; ``default`` when they say nothing."""
    rows = notes[notes["topic"] == topic]["note"].astype(str) if len(notes) else pd.Series([])
    if contains:
        rows = rows[rows.str.contains(contains, regex=False)]
    return " ".join(rows) or default
