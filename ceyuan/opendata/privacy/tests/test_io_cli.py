"""Files: encodings, formats, streaming CLI, clear errors and no half-written output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from ceyuan.opendata.privacy.cli import main
from ceyuan.opendata.privacy.io import InputError, detect_encoding, iter_lines

ROWS = [
    ("张伟", "13812345678", "360426199101010071", "32", "联系人张伟，电话13812345678"),
    ("王芳", "13912345678", "11010519491231002X", "45", "住在北京市海淀区中关村大街27号"),
]
HEADER = ("姓名", "手机", "身份证号", "年龄", "备注")


def _csv_text() -> str:
    return "\n".join(",".join(r) for r in [HEADER, *ROWS]) + "\n"


@pytest.mark.parametrize(
    ("encoding", "expected"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030")]
)
def test_encodings_are_detected(tmp_path: Path, encoding: str, expected: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(_csv_text().encode(encoding))
    assert detect_encoding(path) == expected
    text = "".join(line.text for line in iter_lines(path, expected))
    assert text.lstrip("\ufeff") == _csv_text()


def test_mixed_encoding_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes("第一行是UTF-8\n".encode() + "第二行是GBK\n".encode("gbk"))
    with pytest.raises(
        InputError, match=r"mixed\.txt: mixed encodings: line 1 is UTF-8 but line 2"
    ):
        detect_encoding(path)


def test_mixed_encoding_after_the_sample_is_caught_while_streaming(tmp_path: Path) -> None:
    path = tmp_path / "late.txt"
    path.write_bytes(("正常的一行\n" * 10).encode() + "坏的一行\n".encode("gbk"))
    encoding = detect_encoding(path, sample_bytes=64)
    with pytest.raises(InputError, match=r"late\.txt: line 11, byte 160: .*mixed encodings"):
        list(iter_lines(path, encoding))


def test_corrupt_bytes_are_reported_with_position(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"ok line\n\xff\xfe\xfd broken\n")
    with pytest.raises(InputError, match=r"bad\.txt: line 2, byte 8"):
        detect_encoding(path)


def test_cli_scan_reports_findings_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.csv"
    path.write_text(_csv_text(), encoding="gbk")
    assert main(["scan", str(path), "--quiet"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["cn_resident_id"] == 2
    assert report["counts"]["cn_mobile"] == 3
    assert "encoding: gb18030" in report["notes"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "xlsx", "txt"])
def test_cli_redact_every_format(tmp_path: Path, fmt: str) -> None:
    src = tmp_path / f"in.{fmt}"
    if fmt == "csv":
        src.write_text(_csv_text(), encoding="utf-8-sig")
    elif fmt == "jsonl":
        src.write_text(
            "".join(
                json.dumps(dict(zip(HEADER, r, strict=True)), ensure_ascii=False) + "\n"
                for r in ROWS
            ),
            encoding="utf-8",
        )
    elif fmt == "json":
        src.write_text(
            json.dumps([dict(zip(HEADER, r, strict=True)) for r in ROWS], ensure_ascii=False)
        )
    elif fmt == "xlsx":
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(list(HEADER))
        for r in ROWS:
            ws.append(list(r))
        wb.save(src)
    else:
        src.write_text("\n".join(r[4] + "，身份证" + r[2] for r in ROWS) + "\n", encoding="gbk")
    out = tmp_path / f"out.{fmt}"
    code = main(
        [
            "redact",
            str(src),
            "--policy",
            "default",
            "--level",
            "restricted",
            "-o",
            str(out),
            "--quiet",
            "--chunk-rows",
            "1",
        ]
    )
    assert code == 0
    if fmt == "xlsx":
        wb2 = load_workbook(out, read_only=True)
        content = str([list(r) for r in wb2.worksheets[0].iter_rows(values_only=True)])
    else:
        content = out.read_text(encoding="utf-8")
    assert "360426199101010071" not in content
    assert "13812345678" not in content
    report = json.loads(Path(str(out) + ".privacy-report.json").read_text(encoding="utf-8"))
    assert report["opening_level"] == "restricted"
    assert report["counts"]["cn_resident_id"] == 2


def test_cli_public_release_of_a_table_applies_k_anonymity(tmp_path: Path) -> None:
    src = tmp_path / "people.csv"
    lines = ["姓名,年龄,性别,诊断"]
    for i in range(100):
        name = "张王李赵刘陈"[i % 6] + "伟芳娜强静磊"[i % 5]
        lines.append(f"{name},{20 + i % 50},{'男女'[i % 2]},{['流感', '骨折'][i % 2]}")
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "people.out.csv"
    assert main(["redact", str(src), "--policy", "default", "-o", str(out), "--quiet"]) == 0
    report = json.loads(Path(str(out) + ".privacy-report.json").read_text(encoding="utf-8"))
    assert report["anonymity"]["k"] == 5
    assert report["anonymity"]["risk_after"]["share_below_k"] == 0.0


def test_failed_redaction_leaves_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "bad.txt"
    src.write_bytes(("好的一行 13812345678\n" * 3).encode() + b"\xff\xfe broken\n")
    out = tmp_path / "out.txt"
    code = main(
        [
            "redact",
            str(src),
            "--policy",
            "default",
            "-o",
            str(out),
            "--quiet",
            "--encoding",
            "utf-8",
        ]
    )
    assert code == 1
    assert "bad.txt: line 4" in capsys.readouterr().err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]


def test_blocked_release_exits_3(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("无\n", encoding="utf-8")
    code = main(
        [
            "redact",
            str(src),
            "--policy",
            "default",
            "--grade",
            "core",
            "-o",
            str(tmp_path / "o.txt"),
            "--quiet",
        ]
    )
    assert code == 3


def test_module_runs_as_a_script(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("电话13812345678\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ceyuan.opendata.privacy.cli",
            "scan",
            str(src),
            "--quiet",
            "--types",
            "cn_mobile",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["counts"] == {"cn_mobile": 1}
