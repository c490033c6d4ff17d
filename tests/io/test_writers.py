import io
import zipfile

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from shnor.io.writers import Sheet, neutralise_text, safe_csv, write_workbook

DANGEROUS = ["=1+2", "+7 (343) 000", "-школа", "@SUM(A1)", "\tтаб", "\rвозврат",
             '=HYPERLINK("http://evil","нажми")']


def _frame():
    return pd.DataFrame({
        "Код ОО": ["001", "002", "003", "004", "005", "006", "007"],
        "Школа": DANGEROUS,
        "Доля не преодолевших порог": [0.1, 0.25, np.nan, 0.0, 1.0, 0.5, 0.333],
        "Участников": [10, 20, 30, 40, 50, 60, 70],
        "Надёжно": [True, False, True, True, True, True, True],
    })


def test_formula_like_text_is_stored_as_text(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [Sheet("Школы", _frame())])
    ws = load_workbook(path)["Школы"]
    for row, text in enumerate(DANGEROUS, 2):
        cell = ws.cell(row=row, column=2)
        assert cell.data_type == "s"
        # a bare CR comes back as LF or as CR, depending on the XML parser openpyxl uses (lxml)
        assert cell.value.replace("\r", "\n") == text.replace("\r", "\n")
        assert cell.quotePrefix
    assert ws["A2"].value == "001"  # school_id keeps its leading zeros
    # no formula anywhere in the sheet XML
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml


def test_header_frozen_filtered_and_formatted(tmp_path):
    fills = pd.DataFrame(None, index=_frame().index, columns=_frame().columns, dtype=object)
    fills.loc[0, "Школа"] = "FFFF00"
    path = write_workbook(tmp_path / "a.xlsx", [Sheet("Школы", _frame(), cell_fills=fills)])
    ws = load_workbook(path)["Школы"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:E8"
    assert ws["A1"].font.bold
    assert ws["C2"].number_format == "0.0%"
    assert ws["C4"].value is None  # NaN -> empty cell
    assert ws["E3"].value == "нет"
    assert ws["B2"].fill.fgColor.rgb.endswith("FFFF00")
    assert ws["B3"].fill.fill_type is None
    assert ws.column_dimensions["B"].width >= len('=HYPERLINK("http://evil","нажми")')


def test_workbook_bytes_are_identical_and_names_legal(tmp_path):
    sheets = [Sheet("Списки: ШНОР/риск [2024]", _frame()),
              Sheet("Списки: ШНОР/риск [2024]", _frame().head(2)),
              Sheet("x" * 40, _frame())]
    a = write_workbook(tmp_path / "a.xlsx", sheets).read_bytes()
    b = write_workbook(tmp_path / "b.xlsx", sheets).read_bytes()
    assert a == b
    names = load_workbook(io.BytesIO(a)).sheetnames
    assert names[0] == "Списки  ШНОР риск  2024"
    assert names[1] == "Списки  ШНОР риск  2024 (2)"
    assert len(names[2]) == 31


def test_csv_is_bom_utf8_neutralised_and_stable(tmp_path):
    frame = _frame().rename(columns={"Код ОО": "school_id", "Школа": "name"})
    frame["share"] = [0.1 + 0.2, 1 / 3, np.nan, -0.5, 2.0, 0.0, 1e-12]
    path = safe_csv(frame, tmp_path / "t.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == len(frame) + 1
    back = pd.read_csv(path, encoding="utf-8-sig", dtype={"school_id": str})
    assert back["school_id"].tolist() == frame["school_id"].tolist()
    assert back["name"].tolist() == ["'" + text for text in DANGEROUS]
    text = raw.decode("utf-8-sig")
    for number in (",0.3\r\n", ",0.3333333333\r\n", ",-0.5\r\n"):  # numbers untouched
        assert number in text
    assert safe_csv(frame, tmp_path / "u.csv").read_bytes() == raw


def test_neutralise_keeps_plain_text_and_missing():
    frame = pd.DataFrame({"a": ["Школа №1", None, "=x"], "b": [-1.0, 2.0, 3.0]})
    out = neutralise_text(frame)
    assert out["a"].tolist()[0] == "Школа №1" and pd.isna(out["a"].tolist()[1])
    assert out["a"].tolist()[2] == "'=x"
    assert out["b"].tolist() == [-1.0, 2.0, 3.0]


def test_a_table_longer_than_a_worksheet_is_truncated_with_a_note(tmp_path, monkeypatch):
    from shnor.io import writers

    monkeypatch.setattr(writers, "EXCEL_ROWS", 5)  # a worksheet of 5 rows: header + 4
    sheets = [Sheet("Показатели", _frame(), source="indicators"), Sheet("Мало", _frame()[:4])]
    ws = load_workbook(write_workbook(tmp_path / "a.xlsx", sheets))["Показатели"]
    assert ws.max_row == 5
    assert [ws.cell(row=r, column=1).value for r in range(2, 5)] == ["001", "002", "003"]
    note = ws.cell(row=5, column=1).value
    assert "Лист усечён: в таблице 7 строк" in note and "первые 3" in note
    assert "tables/indicators.csv" in note
    assert [sheet.truncated() for sheet in sheets] == [True, False]
    assert load_workbook(tmp_path / "a.xlsx")["Мало"].max_row == 5  # fits exactly: not cut
