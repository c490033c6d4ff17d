"""Command line: ``shnor run | validate | template | synth | demo | aggregate``.

Every user mistake ends as :class:`~shnor.errors.UserError`: one Russian message on stderr and
exit code 2. An unexpected internal error prints a short Russian message too (the traceback only
with ``--debug``) and exits 1.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import traceback
from contextlib import contextmanager
from pathlib import Path

from shnor.errors import UserError, ValidationFailed, problem_lines

# argparse's own texts (usage, help, errors) in Russian. argparse looks them up through its
# module's ``_`` and ``ngettext`` (gettext) at the moment it uses them; :func:`_russian` swaps
# those for the time a parser of this module is built, prints help or parses.
ARGPARSE_RU = {
    "usage: ": "Использование: ",
    "positional arguments": "позиционные аргументы",
    "options": "параметры",
    "optional arguments": "параметры",
    "show this help message and exit": "показать эту справку и выйти",
    "the following arguments are required: %s": "не указаны обязательные аргументы: %s",
    "unrecognized arguments: %s": "неизвестные аргументы: %s",
    "invalid %(type)s value: %(value)r": "недопустимое значение %(value)r (нужно: %(type)s)",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "недопустимое значение %(value)r (возможные: %(choices)s)",
    "argument %(argument_name)s: %(message)s": "аргумент %(argument_name)s: %(message)s",
    "expected one argument": "нужно указать одно значение",
    "expected at most one argument": "можно указать не больше одного значения",
    "expected at least one argument": "нужно указать хотя бы одно значение",
    "ambiguous option: %(option)s could match %(matches)s":
        "неоднозначный параметр %(option)s: подходят %(matches)s",
    "not allowed with argument %s": "нельзя указывать вместе с %s",
    "ignored explicit argument %r": "лишнее значение %r",
    "one of the arguments %s is required": "нужно указать один из аргументов: %s",
    "unexpected option string: %s": "неожиданный параметр: %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "неизвестная команда %(parser_name)r (возможные: %(choices)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: ошибка: %(message)s\n",
}
ARGPARSE_RU_PLURAL = {"expected %s argument": ("нужно указать значений: %s",) * 2}
TYPE_NAMES = {"int": "целое число", "float": "число"}


def _ru(text: str) -> str:
    return ARGPARSE_RU.get(text, text)


def _ru_plural(singular: str, plural: str, n: int) -> str:
    if singular in ARGPARSE_RU_PLURAL:
        return ARGPARSE_RU_PLURAL[singular][n != 1]
    return singular if n == 1 else plural


@contextmanager
def _russian():
    saved = argparse._, getattr(argparse, "ngettext", None)
    argparse._ = _ru
    if saved[1] is not None:
        argparse.ngettext = _ru_plural
    try:
        yield
    finally:
        argparse._ = saved[0]
        if saved[1] is not None:
            argparse.ngettext = saved[1]


class _Parser(argparse.ArgumentParser):
    """argparse in Russian (usage, help, errors) whose errors are a :class:`UserError` (exit
    code 2) instead of a usage dump."""

    def __init__(self, *args, **kwargs):
        with _russian():
            super().__init__(*args, **kwargs)

    def parse_known_args(self, args=None, namespace=None):
        with _russian():
            return super().parse_known_args(args, namespace)

    def parse_args(self, args=None, namespace=None):
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:  # named after the command they were given to
            command = getattr(parsed, "command", None)
            prog = f"{self.prog} {command}" if command else self.prog
            raise UserError(f"неверные аргументы команды «{prog}»: неизвестные аргументы: "
                            f"{' '.join(extras)}. Справка: {prog} --help")
        return parsed

    def format_usage(self) -> str:
        with _russian():
            return super().format_usage()

    def format_help(self) -> str:
        with _russian():
            return super().format_help()

    def error(self, message: str) -> None:  # pragma: no cover - exercised through main()
        for name, text in TYPE_NAMES.items():
            message = message.replace(f"(нужно: {name})", f"(нужно: {text})")
        raise UserError(f"неверные аргументы команды «{self.prog}»: {message}. "
                        f"Справка: {self.prog} --help")


def _build_parser() -> argparse.ArgumentParser:
    # --debug is accepted before the command and after it (``shnor run --debug …``): each
    # command has its own, which leaves the value alone when not given (SUPPRESS)
    debug = "показывать трассировку внутренних ошибок"
    p = _Parser(prog="shnor", description="ШНОР: идентификация, дифференциация и мониторинг школ.")
    p.add_argument("--debug", action="store_true", help=debug)
    sub = p.add_subparsers(dest="command", metavar="КОМАНДА", parser_class=_Parser,
                           title="команды")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=text, description=text)
        parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug)
        return parser

    force = "заменить существующий файл или папку (без этого ключа shnor ничего не заменяет)"
    r = command("run", "годовой комплект отчётов")
    r.add_argument("--data", required=True, metavar="ПУТЬ", help="папка с CSV или файл XLSX")
    r.add_argument("--year", required=True, type=int, metavar="ГОД",
                   help="год оценочных процедур")
    r.add_argument("--out", metavar="ПАПКА",
                   help="папка отчёта (по умолчанию reports/<набор>/<год>/ в текущей папке)")
    r.add_argument("--profile", metavar="ИМЯ",
                   help="профиль методики (sverdlovsk, yaroslavl, fioko)")
    r.add_argument("--config", metavar="ФАЙЛ", help="YAML-файл, переопределяющий часть параметров")
    r.add_argument("--all-cards", action="store_true", help="карточки для всех школ")
    r.add_argument("--publication", action="store_true",
                   help="режим публикации: малые численности скрываются («<5»)")
    r.add_argument("--municipality", metavar="НАЗВАНИЕ",
                   help="отчёт по одному муниципалитету на шкале всего набора (региона)")
    r.add_argument("--by-municipality", action="store_true",
                   help="кроме отчёта по региону — отчёт по каждому муниципалитету")
    r.add_argument("--reference", metavar="ФАЙЛ",
                   help="reference.json регионального расчёта: разместить школы на его шкале")
    r.add_argument("--force", action="store_true",
                   help="заменить папку --out, даже если в ней есть файлы, которых shnor не "
                        "создавал или которые изменены после расчёта")

    v = command("validate", "проверить набор данных")
    v.add_argument("path", metavar="ПУТЬ", help="папка с CSV или файл XLSX")

    t = command("template", "пустой шаблон входной книги Excel")
    t.add_argument("file", metavar="ФАЙЛ", help="путь к создаваемому файлу .xlsx")
    t.add_argument("--force", action="store_true", help=force)

    s = command("synth", "сгенерировать синтетический регион")
    s.add_argument("--out", required=True, metavar="ПАПКА", help="папка для CSV")
    s.add_argument("--schools", type=int, default=800, metavar="ЧИСЛО", help="число школ")
    s.add_argument("--years", type=int, default=4, metavar="ЧИСЛО",
                   help="число лет (последний — 2024)")
    s.add_argument("--last-year", type=int, default=2024, metavar="ГОД", help="последний год")
    s.add_argument("--seed", type=int, default=2024, metavar="ЧИСЛО", help="зерно генератора")
    s.add_argument("--students", action="store_true",
                   help="также записать файлы с результатами отдельных учащихся (Parquet)")

    command("demo", "пересоздать демонстрационный регион в data/raw/demo")

    a = command("aggregate", "результаты учащихся → таблица results")
    a.add_argument("files", nargs="+", metavar="ФАЙЛ",
                   help="файлы CSV/Parquet с результатами учащихся")
    a.add_argument("--out", required=True, metavar="ФАЙЛ", help="результат: .csv или .parquet")
    a.add_argument("--strict", action="store_true", help="ошибка при любой некорректной строке")
    a.add_argument("--config", metavar="ФАЙЛ", help="YAML-файл, переопределяющий часть параметров")
    a.add_argument("--force", action="store_true", help=force + "; входной файл не заменяется "
                   "никогда")
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
        by_municipality=args.by_municipality, force=args.force,
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

    path = write_template(args.file, force=args.force)
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

    return aggregate_command(args.files, args.out, strict=args.strict, config_file=args.config,
                             force=args.force)


_COMMANDS = {
    "run": _cmd_run, "validate": _cmd_validate, "template": _cmd_template,
    "synth": _cmd_synth, "demo": _cmd_demo, "aggregate": _cmd_aggregate,
}


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM, SIGHUP): unwinds like Ctrl+C, so a run removes
    its temporary folder and leaves the previous report as it was."""


def _terminate(signum, frame) -> None:
    raise Terminated(signum)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv  # before parsing: the arguments themselves may be wrong
    if threading.current_thread() is threading.main_thread():  # signals go to the main thread
        for name in ("SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), _terminate)
    try:
        args = _build_parser().parse_args(argv)
        if not args.command:
            _build_parser().print_help()
            return 2
        return _COMMANDS[args.command](args)
    except UserError as exc:
        print(f"Ошибка: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        who = "сигналом завершения" if isinstance(exc, Terminated) else "пользователем"
        print(f"Прервано {who}; незавершённые результаты не записаны, прежний отчёт не "
              "изменён.", file=sys.stderr)
        return 128 + (exc.args[0] if isinstance(exc, Terminated) else signal.SIGINT)
    except Exception as exc:  # noqa: BLE001 - an internal bug: short message, no traceback
        if debug:
            traceback.print_exc()
        print(
            f"Внутренняя ошибка shnor ({type(exc).__name__}: {exc}). "
            "Повторите с --debug и сообщите разработчикам.",
            file=sys.stderr,
        )
        return 1
