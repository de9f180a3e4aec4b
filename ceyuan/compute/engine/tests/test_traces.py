from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import pytest

from ceyuan.compute.engine.catalogue import load_catalogue
from ceyuan.compute.engine.errors import InputError
from ceyuan.compute.engine.traces import TraceOptions, load_trace
from ceyuan.compute.engine.traces.alibaba import load_openb_federation
from ceyuan.compute.engine.traces.gavel import generate_continuous, load_throughputs

PHILLY = """timestamp,duration,num_gpus,gpu_time,cluster
2017-10-09 07:01:55,66.0,1,66.0,vc1
2017-10-09 06:13:03,2951.0,8,23608.0,vc2
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, "utf-8")
    return path


def test_philly_rows_become_gang_jobs_relative_to_the_first_submission(tmp_path: Path) -> None:
    path = write(tmp_path, "philly.csv.gz", PHILLY)
    opts = TraceOptions(data_centres=("a", "b"), portable_share=0.0)
    jobs = sorted(load_trace(f"philly:{path}", opts), key=lambda j: j.submit_time)
    assert [j.submit_time for j in jobs] == [0.0, 48 * 60 + 52]
    assert jobs[0].accelerators == 8 and jobs[0].work == 2951.0 and jobs[0].tenant == "vc2"
    assert all(j.stacks == frozenset({"cuda"}) for j in jobs)
    assert all(j.data_centre in ("a", "b") for j in jobs)
    again = sorted(load_trace(f"philly:{path}", opts), key=lambda j: j.submit_time)
    assert [(j.data_centre, j.data_gb) for j in jobs] == [(j.data_centre, j.data_gb) for j in again]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ("2017-10-09 07:01:55,abc,1,66.0,vc1", "duration"),
        ("yesterday,66.0,1,66.0,vc1", "timestamp"),
        ("2017-10-09 07:01:55,66.0,0,66.0,vc1", "num_gpus"),
    ],
)
def test_malformed_trace_row_names_file_line_and_field(
    tmp_path: Path, bad: str, field: str
) -> None:
    path = write(tmp_path, "philly.csv", PHILLY + bad + "\n")
    with pytest.raises(InputError) as caught:
        load_trace(f"philly:{path}")
    assert (caught.value.source, caught.value.line, caught.value.field) == (str(path), 4, field)


def test_missing_column_and_short_row_are_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", "timestamp,duration,cluster\n")
    with pytest.raises(InputError, match="num_gpus"):
        load_trace(f"philly:{path}")
    short = write(tmp_path, "q.csv", PHILLY + "2017-10-09 07:01:55,66.0\n")
    with pytest.raises(InputError, match="line 4"):
        load_trace(f"philly:{short}")


def test_unknown_trace_kind_and_missing_file() -> None:
    with pytest.raises(InputError, match="unknown trace kind"):
        load_trace("borg:/nowhere.csv")
    with pytest.raises(InputError, match="file not found"):
        load_trace("philly:/nowhere/at/all.csv")


def test_openb_fractional_gpus_constraints_and_qos(tmp_path: Path) -> None:
    text = (
        "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n"
        "p0,1000,1024,1,460,,LS,Running,0,100,10\n"
        "p1,1000,1024,2,1000,V100M16|V100M32,BE,Running,5,500,50\n"
        "p2,1000,1024,0,0,,BE,Running,5,500,50\n"
    )
    path = write(tmp_path, "pods.csv", text)
    jobs = {j.id: j for j in load_trace(f"openb:{path}")}
    assert set(jobs) == {"p0", "p1"}
    assert jobs["p0"].accelerators == pytest.approx(0.46) and jobs["p0"].work == 90
    assert jobs["p1"].min_memory_gb == 16 and jobs["p1"].preemptible and not jobs["p0"].preemptible
    exact = {
        j.id: j for j in load_trace(f"openb:{path}", TraceOptions(extra={"exact_models": True}))
    }
    assert exact["p1"].models == frozenset({"V100M16", "V100M32"})


def test_adaptdl_and_tiresias_workloads(tmp_path: Path) -> None:
    sia = write(
        tmp_path,
        "w.csv",
        "name,time,application,num_replicas,batch_size\ncifar10-0,401.0,cifar10,4,4096\n",
    )
    (job,) = load_trace(f"sia:{sia}")
    assert job.work == pytest.approx(900.0) and job.accelerators == 4
    bad = write(tmp_path, "x.csv", "name,time,application,num_replicas,batch_size\nz,1,quake,4,1\n")
    with pytest.raises(InputError, match="application"):
        load_trace(f"pollux:{bad}")
    tir = write(
        tmp_path,
        "t.csv",
        "job_id,num_gpu,submit_time,iterations,model_name,duration,interval\n0,8,30,1,vgg11,147,23\n",
    )
    (tj,) = load_trace(f"tiresias:{tir}")
    assert (tj.accelerators, tj.submit_time, tj.work) == (8, 30, 147)


@pytest.mark.shared_data
def test_gavel_generator_follows_gavels_distributions(traces_dir: Path) -> None:
    table = load_throughputs(traces_dir / "gavel" / "simulation_throughputs.json.gz")
    assert len(table.job_types) == 26
    jobs = generate_continuous(table, rate_per_hour=2.0, jobs=4000, seed=0)
    sizes = [j.accelerators for j in jobs]
    multi = [j for j in jobs if len(table.scale_factors(j.job_type)) > 1]
    assert sum(1 for j in multi if j.accelerators == 1) / len(multi) == pytest.approx(
        0.70, abs=0.03
    )
    assert set(sizes) == {1.0, 2.0, 4.0, 8.0}
    assert all(60 * 10**1.5 - 1e-6 <= j.work <= 60 * 10**4 + 1e-6 for j in jobs)
    gaps = [b.submit_time - a.submit_time for a, b in itertools.pairwise(jobs)]
    assert sum(gaps) / len(gaps) == pytest.approx(1800.0, rel=0.06)
    assert all(j.speedups["V100"] == 1.0 for j in jobs)
    again = generate_continuous(table, rate_per_hour=2.0, jobs=50, seed=0)
    assert [(j.job_type, j.work) for j in again] == [(j.job_type, j.work) for j in jobs[:50]]


@pytest.mark.shared_data
def test_every_shared_trace_loads(traces_dir: Path) -> None:
    philly = load_trace(f"philly:{traces_dir / 'philly' / 'philly_jobs_sia.csv.gz'}")
    assert len(philly) == 82_247
    assert sum(1 for j in philly if j.accelerators == 128) == 3
    pods = load_trace(
        f"openb:{traces_dir / 'alibaba-gpu-2023-openb' / 'openb_pod_list_gpuspec33.csv.gz'}"
    )
    assert len(pods) == 8_152 - 1_088
    assert sum(1 for j in pods if j.accelerators < 1) == 3_078
    fed = load_openb_federation(
        traces_dir / "alibaba-gpu-2023-openb" / "openb_node_list_gpu_node.csv.gz", load_catalogue()
    )
    assert fed.capacity == 6_212
    msr = load_trace(f"gavel_msr:{traces_dir / 'gavel' / 'msr_seed0.tar.gz'}")
    assert len(msr) == 15_264
    chronus = load_trace(f"chronus:{traces_dir / 'philly' / 'chronus_philly_slo.csv.gz'}")
    assert len(chronus) == 30_940 and any(j.deadline is not None for j in chronus)
    for n in (1, 8):
        assert (
            len(load_trace(f"pollux:{traces_dir / 'pollux' / 'workloads' / f'workload-{n}.csv'}"))
            == 160
        )
        assert (
            len(load_trace(f"sia:{traces_dir / 'sia' / 'workloads_philly' / f'workload-{n}.csv'}"))
            == 160
        )
    assert len(load_trace(f"sia:{traces_dir / 'sia' / 'workload_newtrace_1.csv'}")) == 960
    assert len(load_trace(f"tiresias:{traces_dir / 'tiresias' / '60_job.csv'}")) == 60


def test_a_fractional_gavel_scale_factor_is_refused_with_its_line(
    traces_dir: Path, tmp_path: Path
) -> None:
    trace = tmp_path / "vc.trace"
    row = "Transformer (batch size 128)\tcmd\t-step\t1\t95121\t0.000000\t{sf}\n"
    trace.write_text(row.format(sf="1") + row.format(sf="2.5"), "utf-8")
    table = traces_dir / "gavel" / "simulation_throughputs.json.gz"
    options = TraceOptions(extra={"throughputs": str(table)})
    with pytest.raises(InputError) as info:
        load_trace(f"gavel_msr:{trace}", options)
    assert (info.value.line, info.value.field) == (2, "scale_factor")
