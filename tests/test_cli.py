"""The command line (issue «Real office files and real installs», items 2, 4, 5): argparse speaks
Russian, ``--debug`` works after the command, a wrong ``--out`` is told before any computation,
and nothing the user made is replaced without ``--force``."""

import re
import tempfile

import pandas as pd
import pytest

from shnor import cli
from shnor.cli import main
from shnor.errors import UserError

ENGLISH = re.compile(r"usage:|positional arguments|options:|show this help|the following "
                     r"arguments|invalid \w+ value|unrecognized arguments|invalid choice|"
                     r"expected one argument|error:")


@pytest.mark.parametrize("argv", [
    ["run"], ["run", "--data", "x", "--year", "abc"], ["run", "--data", "x", "--year", "2024",
                                                       "--bogus"],
    ["--bogus"], ["nonsense"], ["run", "--data"], ["aggregate", "--out", "r.csv"],
    ["synth", "--out", "x", "--schools", "1.5"], ["template"],
])
def test_argument_errors_are_russian_and_name_the_command_once(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("Ошибка: неверные аргументы команды «shnor")
    assert not ENGLISH.search(err), err
    command = argv[0] if argv[0] in ("run", "aggregate", "synth", "template") else None
    assert f"Справка: shnor {command} --help" in err if command else "Справка: shnor --help" in err
    assert "shnor shnor" not in err and "Traceback" not in err


def test_type_errors_say_what_is_expected(capsys):
    main(["run", "--data", "x", "--year", "abc"])
    assert "аргумент --year: недопустимое значение 'abc' (нужно: целое число)" in \
        capsys.readouterr().err
    main(["run", "--data", "x", "--year", "2024", "--bogus"])
    assert "неизвестные аргументы: --bogus" in capsys.readouterr().err
    main(["run"])
    assert "не указаны обязательные аргументы: --data, --year" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["aggregate", "-h"],
                                  ["synth", "--help"], ["validate", "--help"]])
def test_help_is_russian(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("Использование: shnor")
    assert "показать эту справку и выйти" in out and "параметры:" in out
    assert not ENGLISH.search(out), out


def test_help_of_a_command_with_positional_arguments(capsys):
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    assert "позиционные аргументы:" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["run", "--debug"], ["--debug", "run"]])
def test_debug_before_or_after_the_command_shows_the_traceback(argv, monkeypatch, capsys):
    def boom(args):
        assert args.debug
        raise RuntimeError("сбой")

    monkeypatch.setitem(cli._COMMANDS, "run", boom)
    assert main([*argv, "--data", "x", "--year", "2024"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: сбой" in err
    assert "Внутренняя ошибка shnor (RuntimeError: сбой)" in err


def test_without_debug_no_traceback(monkeypatch, capsys):
    monkeypatch.setitem(cli._COMMANDS, "run", lambda args: 1 / 0)
    assert main(["run", "--data", "x", "--year", "2024"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Повторите с --debug" in err


# --out that cannot be written: told at once, before the data are loaded -----------------------

def test_out_under_a_file_fails_before_loading(tmp_path, capsys):
    (tmp_path / "file.txt").write_text("x")
    # the data path does not exist: the --out problem is found first
    code = main(["run", "--data", str(tmp_path / "нет"), "--year", "2024",
                 "--out", str(tmp_path / "file.txt" / "report")])
    assert code == 2
    err = capsys.readouterr().err
    assert "«" + str(tmp_path / "file.txt") + "» — это файл, а не папка" in err
    assert "[1/6]" not in err  # nothing was loaded
    assert main(["run", "--data", "x", "--year", "2024", "--out",
                 str(tmp_path / "file.txt")]) == 2
    assert "это файл, а не папка" in capsys.readouterr().err


def test_out_that_cannot_be_written_fails_before_loading(tmp_path, monkeypatch, capsys):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)  # as in a read-only folder
    code = main(["run", "--data", str(tmp_path / "нет"), "--year", "2024",
                 "--out", str(tmp_path / "report")])
    assert code == 2
    err = capsys.readouterr().err
    assert f"В папку «{tmp_path}» нельзя записать отчёт «report»: нет права на запись" in err
    assert "[1/6]" not in err and "Permission denied" not in err


@pytest.mark.skipif(not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
                    reason="root пишет и в папку только для чтения")
def test_read_only_folder(tmp_path, capsys):
    folder = tmp_path / "только_чтение"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert main(["run", "--data", "x", "--year", "2024", "--out",
                     str(folder / "report")]) == 2
        assert "нет права на запись" in capsys.readouterr().err
    finally:
        folder.chmod(0o755)


def test_out_that_holds_the_inputs_or_is_the_current_folder(tmp_path, monkeypatch, capsys):
    data = tmp_path / "данные"
    data.mkdir()
    (data / "schools.csv").write_text("school_id\n1\n")
    assert main(["run", "--data", str(data), "--year", "2024", "--out", str(tmp_path),
                 "--force"]) == 2
    assert "лежат входные файлы" in capsys.readouterr().err
    monkeypatch.chdir(data)
    assert main(["run", "--data", "x", "--year", "2024", "--out", ".", "--force"]) == 2
    assert "текущая или домашняя папка" in capsys.readouterr().err
    assert (data / "schools.csv").exists()


# Never overwrite what the user made ----------------------------------------------------------

def test_template_does_not_replace_an_existing_file(tmp_path, capsys):
    path = tmp_path / "моя_область.xlsx"
    path.write_bytes(b"my own data")
    assert main(["template", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"Файл «{path}» уже существует (11 байт" in err and "--force" in err
    assert "содержимое было бы потеряно" in err
    assert path.read_bytes() == b"my own data"
    assert main(["template", str(path), "--force"]) == 0
    assert path.read_bytes()[:2] == b"PK"  # now the template workbook


def _students(path):
    pd.DataFrame({"year": [2024] * 3, "school_id": ["001"] * 3, "procedure": ["ОГЭ"] * 3,
                  "grade": [9] * 3, "subject": ["математика"] * 3, "mark": [2, 3, 4]}) \
        .to_csv(path, index=False)
    return path


def test_aggregate_does_not_replace_an_existing_file_or_an_input(tmp_path, capsys):
    students = _students(tmp_path / "ученики.csv")
    before = students.read_bytes()
    out = tmp_path / "results.csv"
    out.write_text("мои результаты")
    assert main(["aggregate", str(students), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "уже существует" in err and "--force" in err
    assert out.read_text() == "мои результаты"
    for force in ([], ["--force"]):  # an input is never replaced
        assert main(["aggregate", str(students), "--out", str(students), *force]) == 2
        assert "один из входных файлов команды" in capsys.readouterr().err
        assert students.read_bytes() == before
    assert main(["aggregate", str(students), "--out", str(out), "--force"]) == 0
    assert "participants" in out.read_text(encoding="utf-8-sig")


def test_check_new_file_refuses_a_folder(tmp_path):
    from shnor.io.writers import check_new_file

    with pytest.raises(UserError, match="это папка"):
        check_new_file(tmp_path, force=True)
    assert check_new_file(tmp_path / "new.csv") == tmp_path / "new.csv"
