"""User-facing errors: every mistake a user can make ends as one of these, with a Russian text."""

from __future__ import annotations

from dataclasses import dataclass


class UserError(Exception):
    """A problem caused by the user's input or arguments; the CLI prints ``str(self)`` and exits 2."""


@dataclass(frozen=True)
class Problem:
    """One validation problem, located as the user sees it (file, sheet, Excel row, column)."""

    file: str
    rule: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None
    table: str | None = None  # canonical table name, when the problem belongs to one

    def __str__(self) -> str:
        where = [f"файл «{self.file}»"]
        if self.sheet:
            where.append(f"лист «{self.sheet}»")
        if self.row is not None:
            where.append(f"строка {self.row}")
        if self.column:
            where.append(f"столбец «{self.column}»")
        text = ", ".join(where)
        if self.value is not None and str(self.value) != "":
            text += f", значение «{self.value}»"
        return f"{text}: {self.rule}"


class ValidationFailed(UserError):
    """Raised by :func:`shnor.load_dataset` when the dataset has problems; holds all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [f"Найдено проблем во входных данных: {len(self.problems)}"]
        lines += [f"  {i}. {p}" for i, p in enumerate(self.problems, 1)]
        super().__init__("\n".join(lines))
