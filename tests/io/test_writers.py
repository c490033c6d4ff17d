import io
import zipfile

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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


class _OpenpyxlRows:
    """The reference for the rows of a sheet: every cell through openpyxl's own write-only
    API (a cell object with its styles, written by openpyxl's lxml writer)."""

    def __init__(self, frame, formats, fills, note):
        self.frame, self.formats, self.fills, self.note = frame, formats, fills, note

    def register(self, ws):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill

        from shnor.io import writers

        for i, row in enumerate(self.frame.itertuples(index=False)):
            cells = []
            for j, raw in enumerate(row):
                value = writers._excel_value(raw)
                cell = WriteOnlyCell(ws, value=value)
                if writers.looks_like_formula(value):
                    cell.data_type, cell.quotePrefix = "s", True
                if isinstance(value, float):
                    cell.number_format = self.formats[j]
                colour = None if self.fills is None else self.fills[i, j]
                if colour:
                    cell.fill = PatternFill("solid", start_color=colour, end_color=colour)
                cells.append(cell)
            ws.append(cells)
        if self.note is not None:
            cell = WriteOnlyCell(ws, value=self.note)
            cell.font = Font(bold=True)
            ws.append([cell])

    def chunks(self, epoch):
        return iter(())


def _parts(path):
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _same_as_openpyxl(tmp_path, monkeypatch, sheets):
    from shnor.io import writers

    ours = _parts(write_workbook(tmp_path / "ours.xlsx", sheets))
    with monkeypatch.context() as m:
        m.setattr(writers, "_Rows", _OpenpyxlRows)
        reference = _parts(write_workbook(tmp_path / "openpyxl.xlsx", sheets))
    assert list(ours) == list(reference)
    for name in reference:
        assert ours[name] == reference[name], name
    assert (tmp_path / "ours.xlsx").read_bytes() == (tmp_path / "openpyxl.xlsx").read_bytes()


def _every_kind():
    import datetime as dt

    frame = pd.DataFrame({
        "Код ОО": ["001", "", " 002", "003 ", "#N/A", "a&b<c>d\"e'f", "строка\r\nдва\tтри"],
        "Школа": DANGEROUS,
        "Доля": [0.1, np.nan, np.inf, -0.0, 1e-20, 1 / 3, 12345678901234567.0],
        "Участников": [10, 20, 30, 40, 50, 60, 10**17],
        "Int64": pd.array([1, None, 3, 4, None, 6, 7], dtype="Int64"),
        "Надёжно": [True, False, True, True, False, True, True],
        "boolean": pd.array([True, None, False, True, None, False, True], dtype="boolean"),
        "str": pd.array(["Ж😀", None, "x" * 40_000, "=1", "", "ы", "z"], dtype="str"),
        "Когда": [pd.Timestamp("2024-05-01 10:30"), pd.NaT, pd.Timestamp("2023-01-01"),
                  pd.NaT, pd.Timestamp("2024-12-31 23:59:59"), pd.NaT, pd.NaT],
        "Дата": [dt.date(2024, 1, 2), None, dt.date(2020, 2, 29), None, None, None, None],
        "Смесь": ["текст", 5, 2.5, None, np.nan, True, "=SUM(A1)"],
    })
    fills = pd.DataFrame(None, index=frame.index, columns=frame.columns, dtype=object)
    fills.loc[0, "Школа"] = "FFFF00"
    fills.loc[1, "Доля"] = "FF7C80"  # a coloured empty cell
    fills.loc[2, "Участников"] = "FFFF00"
    fills.loc[3, "Когда"] = "C6EFCE"
    fills.loc[4, "Доля"] = "C6EFCE"
    return frame, fills


def test_rows_are_the_cells_openpyxl_writes(tmp_path, monkeypatch):
    frame, fills = _every_kind()
    _same_as_openpyxl(tmp_path, monkeypatch, [
        Sheet("Всё", frame, cell_fills=fills),
        Sheet("Без цвета", frame.iloc[::-1], percent_columns=["Доля", "Смесь"]),
        Sheet("Пусто", frame.iloc[:0]),
        Sheet("Без столбцов", pd.DataFrame(index=range(3))),
    ])


def test_rows_are_the_cells_openpyxl_writes_when_truncated(tmp_path, monkeypatch):
    from shnor.io import writers

    monkeypatch.setattr(writers, "EXCEL_ROWS", 5)
    monkeypatch.setattr(writers._Rows, "CHUNK", 2)  # several chunks, the note after them
    frame, fills = _every_kind()
    _same_as_openpyxl(tmp_path, monkeypatch, [Sheet("Всё", frame, cell_fills=fills,
                                                    source="indicators")])


# any text a school's file can bring: the loader refuses control characters but tab, CR, LF
TEXT = st.one_of(st.characters(exclude_categories=("Cc", "Cs")), st.sampled_from("\t\r\n"))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(
    st.one_of(st.none(), st.text(TEXT, max_size=6), st.sampled_from(DANGEROUS + ["#DIV/0!", " x"])),
    st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
              st.integers(-10**18, 10**18)),
    st.sampled_from([None, "FFFF00", "FF7C80"])), max_size=12))
def test_random_cells_are_the_cells_openpyxl_writes(tmp_path_factory, monkeypatch, rows):
    frame = pd.DataFrame([r[:2] for r in rows], columns=["Текст", "Число"], dtype=object)
    fills = pd.DataFrame({"Текст": [r[2] for r in rows], "Число": [r[2] for r in rows][::-1]},
                         index=frame.index, dtype=object)
    _same_as_openpyxl(tmp_path_factory.mktemp("w"), monkeypatch,
                      [Sheet("Случай", frame, cell_fills=fills),
                       Sheet("Числа", frame.astype({"Число": float}) if len(frame) else frame)])
