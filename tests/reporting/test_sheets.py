"""The sheets of the Excel workbook (shnor.reporting.sheets): names, Russian headers, colours."""

from conftest import fail_dataset, identification_of, vpr6
from openpyxl import load_workbook

from shnor.io.writers import write_workbook
from shnor.reporting.sheets import differentiation_sheets, identification_sheets, monitoring_sheets


def test_identification_sheets_have_russian_names_and_headers():
    rows = vpr6("1", 2024, 4, 4) + vpr6("1", 2023, 4, 4) + vpr6("2", 2024, 0, 0)
    sheets = identification_sheets(identification_of(fail_dataset(rows)))
    assert [s.name for s in sheets] == ["Низкие результаты", "Зона риска", "ШНСУ", "Устойчиво низкие",
                                        "Изменения списка", "Сравнение с официальным списком"]
    low = sheets[0].frame
    assert list(low.columns[:4]) == ["Код ОО", "Наименование ОО", "Муниципалитет", "Основания"]
    assert low["Изменение списка"].tolist() == ["осталась в списке"]


def test_differentiation_sheets(differentiation):
    sheets = differentiation_sheets(differentiation)
    names = [s.name for s in sheets]
    for n in ["Типология", "Кластеры", "ИСБШ", "Добавленная ценность", "Объективность"]:
        assert n in names
    typ = sheets[0]
    assert typ.cell_fills.shape == typ.frame.shape


def test_monitoring_sheets_write(monitoring, tmp_path):
    path = write_workbook(tmp_path / "m.xlsx", monitoring_sheets(monitoring))
    wb = load_workbook(path)
    assert "Факторы риска" in wb.sheetnames and "Итоги программы" in wb.sheetnames
    ws = wb["Факторы риска"]
    assert ws.cell(row=2, column=3).value == "высокая"
    assert ws.cell(row=2, column=3).fill.fgColor.rgb.endswith("F4B6B6")
