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
        super().__init__("\n".join(
            [f"Найдено проблем во входных данных: {len(self.problems)}"]
            + [f"  {line}" for line in problem_lines(self.problems)]))


# A systematic mistake (percentages instead of counts in a whole column) would otherwise print
# one line per row of a regional file; the API keeps every problem.
SAME_PROBLEM_SHOWN = 5


def problem_lines(problems: list[Problem], shown: int = SAME_PROBLEM_SHOWN) -> list[str]:
    """Numbered lines for printing: at most ``shown`` problems of one kind (same file, sheet,
    column and rule), then one line saying how many more rows have it."""
    kind = [(p.file, p.sheet, p.column, p.rule) for p in problems]
    total: dict[tuple, int] = {}
    for k in kind:
        total[k] = total.get(k, 0) + 1
    lines, seen = [], {}
    for i, (p, k) in enumerate(zip(problems, kind), 1):
        seen[k] = seen.get(k, 0) + 1
        if seen[k] <= shown:
            lines.append(f"{i}. {p}")
        if seen[k] == shown and total[k] > shown:
            where = f"столбец «{p.column}»" if p.column else f"файл «{p.file}»"
            lines.append(f"   … и ещё строк с той же проблемой ({where}: {p.rule}): "
                         f"{total[k] - shown}")
    return lines
