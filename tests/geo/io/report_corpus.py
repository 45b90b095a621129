"""Provincial report sheets as data officers receive them, written at test time.

:func:`son_la_report` writes a Sơn La 6-month report sheet laid out the way provinces lay
them out: a title block, a two-row merged header ("Số người nghiện có hồ sơ quản lý" over
"Tổng số" / "Trong đó: nữ"), a row numbering the columns, districts as group rows with
their subtotals, commune names without codes, numbers typed as text with "." thousands
separators and "-" for none, a province total row, a footnote and signatures.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

#: The communes of the sheet: (district row label, [(commune as written, figures)]).
#: Figures: population, addicts total, of which women, users, voluntary, compulsory, cases.
COMMUNES = [
    ("Huyện Mộc Châu", [
        ("Chiềng Khừa", ["6.789", "12", "1", "3", "2", "1", "4"]),   # 04024
        ("Xã Lóng Sập", ["5.432", "8", "-", "2", "1", "-", "3"]),    # 04045
    ]),
    ("Huyện Vân Hồ", [
        ("Lóng Luông", ["7.001", "20", "2", "5", "4", "2", "6"]),    # 04051
        ("Tân Xuân", ["4.100", "-", "-", "1", "-", "-", "1"]),       # 04058
    ]),
]
CODES = {"Chiềng Khừa": "04024", "Xã Lóng Sập": "04045", "Lóng Luông": "04051",
         "Tân Xuân": "04058"}
HEADER_1 = ["STT", "Tên đơn vị", "Dân số (người)", "Số người nghiện có hồ sơ quản lý", None,
            "Số người sử dụng trái phép chất ma túy có hồ sơ quản lý", "Cai nghiện", None,
            "Số vụ phạm tội về ma túy phát hiện", "Ghi chú"]
HEADER_2 = [None, None, None, "Tổng số", "Trong đó: nữ", None, "Tự nguyện", "Bắt buộc", None,
            None]
INDICATORS = ["population", "registered_addicts", None, "illegal_users",
              "voluntary_treatment", "compulsory_treatment", "drug_cases_detected"]


def _n(v: str) -> float:
    return 0.0 if v == "-" else float(v.replace(".", ""))


def _fmt(x: float) -> str:
    return f"{int(x):,}".replace(",", ".")


def son_la_report(path: Path, *, title: str = "6 THÁNG ĐẦU NĂM 2024",
                  subtotal_offset: dict[tuple[str, int], int] | None = None,
                  total_offset: int = 0, header_1: list | None = None,
                  communes: list | None = None, trailing_subtotals: bool = False) -> Path:
    """Write the sheet; ``subtotal_offset[(district, column)]`` makes a subtotal disagree.

    ``column`` counts the figure columns from 0 (population). With
    ``trailing_subtotals`` the districts are closed by "Cộng huyện …" rows instead of
    opened by district rows.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "Bieu 01"
    ws.append(["UBND TỈNH SƠN LA", None, None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    ws.merge_cells("A1:C1")
    ws.merge_cells("F1:J1")
    ws.append(["CÔNG AN TỈNH", None, None, None, None, "Độc lập - Tự do - Hạnh phúc"])
    ws.merge_cells("A2:C2")
    ws.merge_cells("F2:J2")
    ws.append([None, None, None, None, None, "Sơn La, ngày 20 tháng 6 năm 2024"])
    ws.append([f"BÁO CÁO KẾT QUẢ CÔNG TÁC PHÒNG, CHỐNG MA TÚY {title}"])
    ws.merge_cells("A4:J4")
    ws.append(["(Kèm theo Báo cáo số 123/BC-CAT ngày 20/6/2024 của Công an tỉnh)"])
    ws.merge_cells("A5:J5")
    ws.append([])
    ws.append(header_1 or HEADER_1)
    ws.append(HEADER_2)
    for col in ("A", "B", "C", "F", "I", "J"):
        ws.merge_cells(f"{col}7:{col}8")
    ws.merge_cells("D7:E7")
    ws.merge_cells("G7:H7")
    ws.append([f"({i})" for i in range(1, 11)])
    totals = [0.0] * 7
    groups = communes or COMMUNES
    roman = ["I", "II", "III", "IV"]
    for k, (district, rows) in enumerate(groups):
        sums = [sum(_n(r[1][j]) for r in rows) for j in range(7)]
        for j in range(7):
            sums[j] += (subtotal_offset or {}).get((district, j), 0)
        if not trailing_subtotals:
            ws.append([roman[k], district, *[_fmt(x) for x in sums]])
        for i, (name, figs) in enumerate(rows, 1):
            ws.append([i, name, *figs])
        if trailing_subtotals:
            ws.append([None, f"Cộng {district[0].lower()}{district[1:]}",
                       *[_fmt(x) for x in sums]])
        totals = [a + sum(_n(r[1][j]) for r in rows) for j, a in enumerate(totals)]
    totals[1] += total_offset
    ws.append([None, "Tổng cộng", *[_fmt(x) for x in totals]])
    ws.append([])
    ws.append(["Ghi chú: Số liệu tính đến ngày 14/6/2024; '-' là không có."])
    ws.append([None, "NGƯỜI LẬP BIỂU", None, None, None, None, "THỦ TRƯỞNG ĐƠN VỊ"])
    wb.save(path)
    return path
