"""Command line: ``shnor run | validate | template | synth | demo | aggregate``.

Every user mistake ends as :class:`~shnor.errors.UserError`: one Russian message on stderr and
exit code 2. An unexpected internal error prints a short Russian message too (the traceback only
with ``--debug``) and exits 1.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from shnor.errors import UserError, ValidationFailed, problem_lines


class _Parser(argparse.ArgumentParser):
    """argparse with Russian errors and exit code 2 without a usage dump."""

    def error(self, message: str) -> None:  # pragma: no cover - exercised through main()
        raise UserError(f"Ошибка в аргументах команды: {message}. Справка: shnor {self.prog.split()[-1]} --help")


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="shnor", description="ШНОР: идентификация, дифференциация и мониторинг школ.")
    p.add_argument("--debug", action="store_true", help="показывать трассировку внутренних ошибок")
    sub = p.add_subparsers(dest="command", metavar="КОМАНДА", parser_class=_Parser)

    r = sub.add_parser("run", help="годовой комплект отчётов")
    r.add_argument("--data", required=True, help="папка с CSV или файл XLSX")
    r.add_argument("--year", required=True, type=int, help="год оценочных процедур")
    r.add_argument("--out", help="папка отчёта (по умолчанию reports/<набор>/<год>/)")
    r.add_argument("--profile", help="профиль методики (sverdlovsk, yaroslavl, fioko)")
    r.add_argument("--config", help="YAML-файл, переопределяющий часть параметров")
    r.add_argument("--all-cards", action="store_true", help="карточки для всех школ")
    r.add_argument("--publication", action="store_true",
                   help="режим публикации: малые численности скрываются («<5»)")
    r.add_argument("--municipality", metavar="НАЗВАНИЕ",
                   help="отчёт по одному муниципалитету на шкале всего набора (региона)")
    r.add_argument("--by-municipality", action="store_true",
                   help="кроме отчёта по региону — отчёт по каждому муниципалитету")
    r.add_argument("--reference", metavar="ФАЙЛ",
                   help="reference.json регионального расчёта: разместить школы на его шкале")

    v = sub.add_parser("validate", help="проверить набор данных")
    v.add_argument("path", help="папка с CSV или файл XLSX")

    t = sub.add_parser("template", help="пустой шаблон входной книги Excel")
    t.add_argument("file", help="путь к создаваемому файлу .xlsx")

    s = sub.add_parser("synth", help="сгенерировать синтетический регион")
    s.add_argument("--out", required=True, help="папка для CSV")
    s.add_argument("--schools", type=int, default=800, help="число школ")
    s.add_argument("--years", type=int, default=4, help="число лет (последний — 2024)")
    s.add_argument("--last-year", type=int, default=2024, help="последний год")
    s.add_argument("--seed", type=int, default=2024, help="зерно генератора")
    s.add_argument("--students", action="store_true",
                   help="также записать файлы с результатами отдельных учащихся (Parquet)")

    sub.add_parser("demo", help="пересоздать демонстрационный регион в data/raw/demo")

    a = sub.add_parser("aggregate", help="результаты учащихся → таблица results")
    a.add_argument("files", nargs="+", help="файлы CSV/Parquet с результатами учащихся")
    a.add_argument("--out", required=True, help="результат: .csv или .parquet")
    a.add_argument("--strict", action="store_true", help="ошибка при любой некорректной строке")
    a.add_argument("--config", help="YAML-файл, переопределяющий часть параметров")
    return p


# Each command imports its layer when it runs (documented lazy imports): `shnor --help` and a
# mistyped argument answer at once instead of after importing pandas, scikit-learn and
# papermill (about 2 s).

def _cmd_run(args) -> int:
    from shnor.pipeline.suite import run_suite

    out = run_suite(
        data=args.data, year=args.year, out=args.out, profile=args.profile,
        config_file=args.config, all_cards=args.all_cards, publication=args.publication,
        reference=args.reference, municipality=args.municipality,
        by_municipality=args.by_municipality,
    )
    print(f"Готово: отчёты в {out}")
    return 0


def _cmd_validate(args) -> int:
    from shnor.io.loading import describe, load_dataset

    try:
        ds = load_dataset(args.path)  # validates once; the problems travel in the exception
    except ValidationFailed as exc:
        print(f"Найдено проблем: {len(exc.problems)}")
        print("\n".join(problem_lines(exc.problems)))
        return 2
    print(f"Набор данных «{args.path}» корректен.")
    print(describe(ds))
    return 0


def _cmd_template(args) -> int:
    from shnor.io.template import write_template

    path = write_template(args.file)
    print(f"Шаблон записан: {path}")
    return 0


def _cmd_synth(args) -> int:
    from shnor.synth.files import write_synthetic

    out = write_synthetic(Path(args.out), n_schools=args.schools, n_years=args.years,
                          last_year=args.last_year, seed=args.seed, students=args.students)
    print(f"Синтетический регион записан: {out}")
    return 0


def _cmd_demo(args) -> int:
    from shnor.synth.files import write_demo

    out = write_demo()
    print(f"Демонстрационный регион записан: {out}")
    return 0


def _cmd_aggregate(args) -> int:
    from shnor.io.aggregate import aggregate_command

    return aggregate_command(args.files, args.out, strict=args.strict, config_file=args.config)


_COMMANDS = {
    "run": _cmd_run, "validate": _cmd_validate, "template": _cmd_template,
    "synth": _cmd_synth, "demo": _cmd_demo, "aggregate": _cmd_aggregate,
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        args = _build_parser().parse_args(argv)
        if not args.command:
            _build_parser().print_help()
            return 2
        return _COMMANDS[args.command](args)
    except UserError as exc:
        print(f"Ошибка: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Прервано пользователем; незавершённые результаты не записаны.", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - an internal bug: short message, no traceback
        if debug:
            traceback.print_exc()
        print(
            f"Внутренняя ошибка shnor ({type(exc).__name__}: {exc}). "
            "Повторите с --debug и сообщите разработчикам.",
            file=sys.stderr,
        )
        return 1
