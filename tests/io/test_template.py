"""The empty input workbook: sheets, Russian headers, drop-downs; valid once filled."""

import openpyxl
import pytest

from shnor.cli import main
from shnor.errors import UserError
from shnor.io.loading import load_dataset
from shnor.io.template import write_template


def test_template_structure(tmp_path):
    wb = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx"))
    assert wb.sheetnames == ["Инструкция", "Школы", "Результаты", "Социальный паспорт",
                             "Факторы риска", "Показатели программы", "Официальные списки",
                             "Группы ИРО", "Сравнение с журналом", "Кадры", "Дорожная карта"]
    results = wb["Результаты"]
    assert [c.value for c in results[1]][:6] == ["Год", "Код ОО", "Процедура", "Класс",
                                                 "Предмет", "Участников"]
    assert results.freeze_panes == "A2" and results["A1"].font.bold
    lists = {dv.formula1 for dv in results.data_validations.dataValidation}
    assert '"ВПР,ОГЭ,ЕГЭ,РДР"' in lists
    assert any("математика (профильная)" in f for f in lists)
    assert {dv.formula1 for dv in wb["Школы"].data_validations.dataValidation} == {
        '"город,село"'}
    assert {dv.formula1 for dv in wb["Факторы риска"].data_validations.dataValidation} == {
        '"высокая,средняя,низкая"'}
    text = "\n".join(str(r[0].value) for r in wb["Инструкция"].iter_rows() if r[0].value)
    assert "необязательный лист" in text and "2023/2024" in text and "ВПР 4–8" in text
    assert "РДР 2–11" in text and "«% 2»" in text and "Понизили" in text


def test_filled_template_validates(tmp_path, capsys):
    path = write_template(tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Школы"].append(["00123", "МАОУ СОШ № 1", "ГО Первоуральск", "село", "СОШ"])
    res = wb["Результаты"]
    res["A2"], res["B2"], res["C2"], res["D2"], res["E2"] = 2024, "00123", "ВПР", 5, "математика"
    res["F2"], res["G2"], res["H2"], res["I2"], res["J2"] = 20, 5, 10, 4, 1
    res["A3"], res["B3"], res["C3"], res["D3"], res["E3"] = 2024, "00123", "ЕГЭ", 11, \
        "математика (профильная)"
    res["F3"], res["L3"] = 12, 61.5
    soc = wb["Социальный паспорт"]
    soc["A2"], soc["B2"], soc["C2"], soc["E2"] = 2024, "00123", 180, 30
    wb["Факторы риска"].append([2024, "00123", 6, "высокая"])
    wb.save(path)
    assert main(["validate", str(path)]) == 0
    assert "корректен" in capsys.readouterr().out
    ds = load_dataset(path)
    assert ds.schools["locality"].tolist() == ["rural"]
    assert ds.results["subject"].tolist() == ["math", "math_profile"]
    assert ds.risk_profiles["level"].tolist() == ["high"] and ds.lists is None


def test_template_needs_xlsx(tmp_path, capsys):
    with pytest.raises(UserError, match=r"\.xlsx"):
        write_template(tmp_path / "t.csv")
    assert main(["template", str(tmp_path / "no" / "t.xlsx")]) == 2
    assert "не существует" in capsys.readouterr().err
