from shnor.cli import main
from shnor.errors import Problem, ValidationFailed, problem_lines


def _problems(n_same: int) -> list[Problem]:
    same = [Problem("results.csv", "количество не может быть отрицательным", row=r,
                    column="Участников", value=-1) for r in range(2, 2 + n_same)]
    return same + [Problem("social.csv", "повторяется ключ", row=7, column="Код ОО", value="01")]


def test_a_systematic_mistake_is_shown_five_times_and_counted():
    lines = problem_lines(_problems(12))
    assert len(lines) == 5 + 1 + 1
    assert lines[0].startswith("1. файл «results.csv», строка 2")
    assert "… и ещё строк с той же проблемой (столбец «Участников»" in lines[5]
    assert lines[5].endswith(": 7")
    assert lines[6].startswith("13. файл «social.csv»")  # numbering keeps the full count


def test_few_problems_are_all_shown():
    assert len(problem_lines(_problems(3))) == 4
    assert "ещё" not in str(ValidationFailed(_problems(3)))


def test_cli_caps_repeated_problems(tmp_path, capsys):
    (tmp_path / "schools.csv").write_text(
        "school_id,name,municipality\n" + "".join(f"{i:03d},Школа {i},МО\n" for i in range(20)),
        encoding="utf-8")
    (tmp_path / "results.csv").write_text(
        "year,school_id,procedure,grade,subject,participants,n_fail\n"
        + "".join(f"2024,{i:03d},ВПР,5,математика,-3,0\n" for i in range(20)), encoding="utf-8")
    (tmp_path / "social.csv").write_text("year,school_id,students_total\n", encoding="utf-8")
    assert main(["validate", str(tmp_path)]) == 2
    out = capsys.readouterr().out
    assert "Найдено проблем: 20" in out
    assert "… и ещё строк с той же проблемой" in out
    assert out.count("файл «results.csv»") == 5
