from __future__ import annotations

import json
from pathlib import Path

import pytest

from ceyuan.compute.engine.cli import main
from ceyuan.compute.engine.report import RESULT_SCHEMA

TRACE = "timestamp,duration,num_gpus,gpu_time,cluster\n" + "".join(
    f"2017-10-09 07:{m:02d}:00,{600 + 60 * m}.0,{1 + m % 4},1.0,vc{m % 3}\n" for m in range(40)
)


@pytest.fixture
def trace(tmp_path: Path) -> Path:
    path = tmp_path / "philly.csv"
    path.write_text(TRACE, "utf-8")
    return path


def test_compare_prints_a_table_writes_a_versioned_log_and_a_plot(
    trace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log, plot = tmp_path / "r.json", tmp_path / "r.png"
    code = main(
        [
            "compare",
            "--trace",
            f"philly:{trace}",
            "--policy",
            "fifo,domestic_first,gavel_maxmin",
            "--outage",
            "tianjin:0:1",
            "--json",
            str(log),
            "--plot",
            str(plot),
            "--include-jobs",
        ]
    )
    out = capsys.readouterr()
    assert code == 0
    assert "domestic_first" in out.out and "ratio to fifo" in out.out
    assert "jobs arrived" in out.err
    data = json.loads(log.read_text("utf-8"))
    assert data["schema"] == RESULT_SCHEMA
    assert [r["policy"] for r in data["runs"]] == ["fifo", "domestic_first", "gavel_maxmin"]
    assert all(r["metrics"]["done"] == 40 for r in data["runs"])
    assert len(data["runs"][0]["jobs"]) == 40
    series = data["runs"][0]["pool_utilisation_series"]
    assert series["bucket_s"] == 3600.0 and "haidian-910b" in series["pools"]
    assert (
        data["runs"][1]["metrics"]["domestic_share"] > data["runs"][0]["metrics"]["domestic_share"]
    )
    assert plot.stat().st_size > 1000


def test_bad_federation_exits_2_naming_file_line_and_field(
    trace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fed = tmp_path / "fed.yaml"
    fed.write_text(
        "schema: ceyuan.compute.federation/1\nname: x\ncentres:\n  - id: a\n    kind: moon\n",
        "utf-8",
    )
    code = main(["simulate", "--trace", f"philly:{trace}", "--federation", str(fed), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{fed}, line 5, field 'kind'" in err


def test_bad_quota_is_an_input_error(trace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["simulate", "--trace", f"philly:{trace}", "--policy", "drf", "--quota", "vc1=-2"])
    assert code == 2
    assert "--quota" in capsys.readouterr().err
    assert (
        main(
            [
                "simulate",
                "--trace",
                f"philly:{trace}",
                "--policy",
                "drf",
                "--quota",
                "vc1=3",
                "--quiet",
            ]
        )
        == 0
    )


def test_listing_commands_and_validate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policies"]) == 0
    assert "gavel_maxmin" in capsys.readouterr().out
    assert main(["traces"]) == 0
    assert "philly" in capsys.readouterr().out
    assert main(["validate", "--federation", "builtin:gavel"]) == 0
    assert "108 accelerators" in capsys.readouterr().out
