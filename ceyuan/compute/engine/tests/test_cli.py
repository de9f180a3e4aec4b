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


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--node-mtbf-hours", "-1"], "--node-mtbf-hours"),  # a failure process that never ends
        (["--node-mtbf-hours", "nan"], "--node-mtbf-hours"),
        (["--time-scale", "0"], "--time-scale"),
        (["--portable-share", "2"], "--portable-share"),
        (["--limit", "-5"], "--limit"),
        (["--window", "abc"], "--window"),
        (["--window", "5:2"], "--window"),
        (["--window", "0:999"], "--window"),
        (["--outage", "tianjin:5:1"], "--outage"),
        (["--quota", "vc0=nan"], "--quota"),
        (["--policy", "las:interval=-5"], "--policy"),  # a round every -5 s never ends
        (["--policy", "domestic_first:target=5"], "--policy"),
        (["--policy", ""], "--policy"),
        (["--json", "no/such/dir/r.json"], "--json"),
        (["--plot", "r.txt"], "--plot"),
    ],
)
def test_bad_options_are_refused_before_any_work(
    trace: Path, extra: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["simulate", "--trace", f"philly:{trace}", "--quiet", *extra])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"error: {named}"), err


def test_duplicate_job_ids_and_centuries_long_jobs_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = "job_id,num_gpu,submit_time,iterations,model_name,duration,interval\n"
    dup = tmp_path / "dup.csv"
    dup.write_text(header + "1,1,0,100,resnet,600,0\n1,1,3600,100,resnet,600,0\n", "utf-8")
    assert main(["simulate", "--trace", f"tiresias:{dup}", "--quiet"]) == 2
    assert "job id 'tiresias-1' appears more than once" in capsys.readouterr().err
    long = tmp_path / "long.csv"
    long.write_text(TRACE.splitlines()[0] + "\n2017-10-09 07:00:00,1e12,1,1.0,vc0\n", "utf-8")
    assert main(["simulate", "--trace", f"philly:{long}", "--quiet"]) == 2
    assert "years" in capsys.readouterr().err


def test_unreadable_files_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fed = tmp_path / "fed.yaml"
    fed.write_bytes("name: 联邦\n".encode("gbk"))
    assert main(["validate", "--federation", str(fed)]) == 2
    assert "not UTF-8 text" in capsys.readouterr().err
    nan = tmp_path / "nan.yaml"
    nan.write_text(
        "schema: ceyuan.compute.federation/1\nname: x\ncentres:\n  - id: a\n    kind: public\n"
        "    region: Beijing\n    latency_ms: .nan\n    pools:\n      - id: p\n"
        "        accelerator: Ascend-910B\n        nodes: 1\n        accelerators_per_node: 8\n",
        "utf-8",
    )
    assert main(["validate", "--federation", str(nan)]) == 2
    assert "finite" in capsys.readouterr().err


def test_bad_gavel_generator_options_and_tables_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "tp.json"
    table.write_text("42", "utf-8")
    assert main(["simulate", "--trace", f"gavel_poisson:{table}", "--quiet"]) == 2
    assert "worker types" in capsys.readouterr().err
    table.write_text('{"v100": [1, 2], "p100": {}, "k80": {}}', "utf-8")
    assert main(["simulate", "--trace", f"gavel_poisson:{table}", "--quiet"]) == 2
    assert "field 'v100'" in capsys.readouterr().err
    for option, field in (("rate=abc", "rate"), ("rate=inf", "rate"), ("jobs=1.5", "jobs")):
        good = tmp_path / "good.json"
        good.write_text('{"v100": {}, "p100": {}, "k80": {}}', "utf-8")
        code = main(
            ["simulate", "--trace", f"gavel_poisson:{good}", "--trace-option", option, "--quiet"]
        )
        assert code == 2 and f"field '{field}'" in capsys.readouterr().err, option
