import io

import pytest

from ceyuan.opendata.tabular import Column, TableError, parse_table

CSV_TEXT = "区县,年份,人口\n东城区,2023,70.4\n西城区,2023,110.6\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CSV_TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + CSV_TEXT.encode("utf-8"), "utf-8-sig"),
        (CSV_TEXT.encode("gbk"), "gbk"),
    ],
)
def test_csv_in_utf8_bom_or_gbk_reads_the_same(data: bytes, encoding: str) -> None:
    table = parse_table(data, filename="t.csv")
    assert table.encoding == encoding
    assert [c.name for c in table.columns] == ["区县", "年份", "人口"]
    assert [c.type for c in table.columns] == ["string", "integer", "number"]
    assert table.rows[0] == {"区县": "东城区", "年份": 2023, "人口": 70.4}


def test_binary_garbage_is_refused_as_corrupt() -> None:
    with pytest.raises(TableError, match="binary"):
        parse_table(b"PK\x03\x04\x00\x00garbage", filename="t.csv")
    with pytest.raises(TableError, match="neither UTF-8 nor GBK"):
        parse_table(b"a,b\n\xff\xfe\xfd,1\n", filename="t.csv")


def test_corrupt_excel_and_parquet_are_refused_clearly() -> None:
    with pytest.raises(TableError, match="Excel file cannot be opened"):
        parse_table(b"not a zip", filename="t.xlsx")
    with pytest.raises(TableError, match="Parquet file cannot be read"):
        parse_table(b"not parquet", filename="t.parquet")


def test_ragged_rows_are_reported_with_their_row_numbers() -> None:
    with pytest.raises(TableError) as info:
        parse_table(b"a,b\n1,2\n3\n4,5,6\n", filename="t.csv")
    assert [(e.row, e.message) for e in info.value.errors] == [
        (2, "expected 2 fields, found 1"),
        (3, "expected 2 fields, found 3"),
    ]


def test_schema_validation_reports_each_bad_row_and_field() -> None:
    schema = [Column("区县", "string", required=True), Column("人口", "number")]
    with pytest.raises(TableError) as info:
        parse_table("区县,人口\n东城区,70\n,abc\n".encode(), filename="t.csv", schema=schema)
    errors = {(e.row, e.field) for e in info.value.errors}
    assert errors == {(2, "区县"), (2, "人口")}


def test_json_excel_and_parquet_parse_into_rows() -> None:
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = parse_table(b'[{"a": 1, "b": "x"}, {"a": 2, "b": null}]', filename="t.json")
    assert table.rows[1] == {"a": 2, "b": None}
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["名称", "数量"])
    sheet.append(["甲", 3])
    out = io.BytesIO()
    book.save(out)
    assert parse_table(out.getvalue(), filename="t.xlsx").rows == ({"名称": "甲", "数量": 3},)
    out = io.BytesIO()
    pq.write_table(pa.table({"k": [1, 2], "v": ["一", "二"]}), out)
    parsed = parse_table(out.getvalue(), filename="t.parquet")
    assert parsed.rows[1] == {"k": 2, "v": "二"}


def test_nested_json_and_unknown_formats_are_refused() -> None:
    with pytest.raises(TableError, match="not flat"):
        parse_table(b'[{"a": {"b": 1}}]', filename="t.json")
    with pytest.raises(TableError, match="malformed"):
        parse_table(b'[{"a": 1}', filename="t.json")
    with pytest.raises(TableError, match="not a table format"):
        parse_table(b"hello", filename="t.docx")
