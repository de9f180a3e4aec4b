"""Catalogue search latency and API throughput on a generated catalogue.

Run:
    .venv/bin/python bench/opendata_search.py [--datasets 100000] [--repeat 30]
    DATABASE_URL=postgres://ceyuan:ceyuan@127.0.0.1:5432/ceyuan \
        .venv/bin/python bench/opendata_search.py

Builds a fresh database (SQLite in a temporary directory; on PostgreSQL a separate database
``<name>_bench_opendata``, created and dropped by the script), generates ``--datasets``
datasets with seeded random Chinese titles, descriptions and keywords, one resource each,
over 40 publishers, 8 zones and 12 themes (70 % unconditional, 20 % conditional, 10 % not
open), indexes them with the same jieba segmentation the platform uses, then times:

- ``selectors.search`` (what the catalogue page, the REST API and CKAN ``package_search``
  call) for several query shapes: p50 / p95 latency in ms, anonymous user;
- a baseline in the same process: the naive substring search (``icontains`` on title and
  description, which is also wrong for Chinese) for the same words, reported as a ratio;
- API throughput in requests per second, single client thread, in process (Django test
  client: URL routing, auth, serialisation, JSON — no network): CKAN ``package_search``,
  ``package_show``, ``datastore_search`` and the REST ``/api/v1/opendata/datasets/?q=``.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DISTRICTS = [
    "东城区",
    "西城区",
    "朝阳区",
    "海淀区",
    "丰台区",
    "石景山区",
    "门头沟区",
    "房山区",
    "通州区",
    "顺义区",
    "昌平区",
    "大兴区",
    "怀柔区",
    "平谷区",
    "密云区",
    "延庆区",
    "北京市",
]
SUBJECTS = [
    "公交",
    "地铁",
    "出租车",
    "共享单车",
    "停车场",
    "道路",
    "桥梁",
    "企业",
    "信用",
    "税务",
    "医疗",
    "医院",
    "学校",
    "教育",
    "空气质量",
    "水质",
    "噪声",
    "气象",
    "人口",
    "就业",
    "社保",
    "住房",
    "土地",
    "规划",
    "绿地",
    "公园",
    "旅游",
    "文化",
    "体育",
    "养老",
    "消防",
    "应急",
    "食品",
    "药品",
    "市场",
    "价格",
    "能源",
    "电力",
    "燃气",
    "供水",
    "人工智能",
    "算力",
    "专利",
    "科技",
    "金融",
    "银行",
    "保险",
    "物流",
    "快递",
    "农业",
]
NOUNS = [
    "站点",
    "线路",
    "客流",
    "统计",
    "名录",
    "登记",
    "许可",
    "监测",
    "分布",
    "评价",
    "年报",
    "指数",
    "明细",
    "目录",
    "设施",
    "事件",
    "趋势",
    "排名",
    "预警",
    "位置",
]
EXTRA = ["实时", "历史", "月度", "年度", "汇总", "公开", "基础", "综合", "专题", "动态"]
FORMATS = ["CSV", "XLSX", "JSON", "PARQUET", "API"]
QUERIES = {
    "one common word (公交)": ("公交", {}, ""),
    "two words (海淀区 医院)": ("海淀区医院", {}, ""),
    "three words (朝阳区 空气质量 监测)": ("朝阳区空气质量监测", {}, ""),
    "word + zone + level filter": ("企业", {"zone": ["zone-2"], "level": ["public"]}, ""),
    "word, sort by title": ("停车场", {}, "title"),
    "no query, newest first": ("", {}, "updated"),
    "rare pair (快递 排名)": ("快递排名", {}, ""),
}


def configure(args: argparse.Namespace) -> tuple[str, Any]:
    """Point Django at the benchmark database; returns (vendor, cleanup or None)."""
    url = os.environ.get("DATABASE_URL", "")
    cleanup = None
    if url.startswith("postgres"):
        import psycopg

        base, _, name = url.rpartition("/")
        bench_name = f"{name}_bench_opendata"
        admin = psycopg.connect(url, autocommit=True)
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [bench_name]
        ).fetchone()
        if not (args.reuse and exists):
            admin.execute(f'DROP DATABASE IF EXISTS "{bench_name}"')
            admin.execute(f'CREATE DATABASE "{bench_name}"')
        admin.close()
        os.environ["DATABASE_URL"] = f"{base}/{bench_name}"

        def drop() -> None:
            from django.db import connections

            connections.close_all()
            conn = psycopg.connect(url, autocommit=True)
            conn.execute(f'DROP DATABASE IF EXISTS "{bench_name}"')
            conn.close()

        cleanup = None if args.keep else drop
        vendor = "PostgreSQL"
    else:
        path = args.sqlite_path or f"{tempfile.mkdtemp(prefix='od-bench-')}/bench.sqlite3"
        if not args.reuse and Path(path).exists():
            Path(path).unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        if not args.keep and not args.sqlite_path:

            def cleanup() -> None:
                Path(path).unlink(missing_ok=True)

        vendor = "SQLite"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ceyuan.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return vendor, cleanup


def generate(n: int, seed: int) -> dict[str, Any]:
    from ceyuan.accounts.models import Organisation
    from ceyuan.opendata import segment
    from ceyuan.opendata.models import (
        Theme,
        Zone,
    )

    rng = random.Random(seed)
    # Generated texts repeat; memoising segmentation keeps the build short. Indexing and
    # querying still go through the same jieba function.
    segment.tokens = functools.lru_cache(maxsize=200_000)(segment.tokens)  # type: ignore[assignment]
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                code=f"dept-{i}",
                name_zh=f"市第{i}委办局",
                name_en=f"Bureau {i}",
                kind=Organisation.Kind.DEPARTMENT,
            )
            for i in range(40)
        ]
    )
    zones = Zone.objects.bulk_create(
        [Zone(code=f"zone-{i}", title_zh=f"专区{i}") for i in range(8)]
    )
    themes = Theme.objects.bulk_create(
        [Theme(code=f"theme-{i}", title_zh=f"主题{i}") for i in range(12)]
    )
    started = time.perf_counter()
    batch = 5000
    token_rows = 0
    from django.db import transaction

    for start in range(0, n, batch):
        with transaction.atomic():
            token_rows += _generate_batch(rng, start, min(start + batch, n), orgs, zones, themes)
    build_s = time.perf_counter() - started
    return _finish(rng, build_s, token_rows)


def _generate_batch(
    rng: random.Random, start: int, stop: int, orgs: list[Any], zones: list[Any], themes: list[Any]
) -> int:
    from ceyuan.opendata import levels, segment
    from ceyuan.opendata.models import Dataset, Resource, SearchToken

    through = Dataset.themes.through
    datasets = []
    texts = []
    for i in range(start, stop):
        district, subject, noun = rng.choice(DISTRICTS), rng.choice(SUBJECTS), rng.choice(NOUNS)
        title = f"{district}{subject}{noun}数据"
        extra = rng.choice(EXTRA)
        description = (
            f"{extra}{subject}{noun}信息，覆盖{district}，"
            f"由{rng.choice(SUBJECTS)}部门按{rng.choice(EXTRA)}更新。"
        )
        keywords = [subject, rng.choice(SUBJECTS)]
        draw = rng.random()
        level = (
            levels.PUBLIC if draw < 0.7 else levels.RESTRICTED if draw < 0.9 else levels.NON_PUBLIC
        )
        org = rng.choice(orgs)
        zone = rng.choice(zones)
        datasets.append(
            Dataset(
                name=f"ds-{i:06d}",
                title_zh=title,
                description_zh=description,
                publisher=org,
                zone=zone,
                keywords=keywords,
                opening_level=level,
                access=level,
                status="published",
            )
        )
        # the description's clauses are segmented apart so the memo below can reuse them
        pieces = [p for p in description.split("，") if p]
        texts.append((title, [*pieces, " ".join(keywords), org.name_zh, zone.title_zh]))
    created = Dataset.objects.bulk_create(datasets)
    tokens = []
    links = []
    resources = []
    for dataset, (title, body) in zip(created, texts, strict=True):
        for token, weight in segment.weighted_tokens([title, dataset.name], body).items():
            tokens.append(SearchToken(dataset_id=dataset.pk, token=token, weight=weight))
        links.append(through(dataset_id=dataset.pk, theme_id=rng.choice(themes).pk))
        fmt = rng.choice(FORMATS)
        resources.append(
            Resource(
                dataset=dataset,
                name=f"{dataset.name}.{fmt.lower()}",
                kind="api" if fmt == "API" else "file",
                format=fmt,
                url="https://example.org/api" if fmt == "API" else "",
            )
        )
    SearchToken.objects.bulk_create(tokens, batch_size=5000)
    through.objects.bulk_create(links)
    Resource.objects.bulk_create(resources)
    return len(tokens)


def _finish(rng: random.Random, build_s: float, token_rows: int) -> dict[str, Any]:
    from ceyuan.opendata import levels
    from ceyuan.opendata.models import Dataset, Resource, TableColumn, TableRow

    # one table resource for datastore_search
    table_ds = Dataset.objects.filter(access=levels.PUBLIC).first()
    table = Resource.objects.create(
        dataset=table_ds,
        name="table.csv",
        kind="file",
        format="CSV",
        datastore_active=True,
        row_count=10000,
    )
    TableColumn.objects.bulk_create(
        [
            TableColumn(resource=table, position=0, name="区县", type="string"),
            TableColumn(resource=table, position=1, name="数量", type="integer"),
        ]
    )
    TableRow.objects.bulk_create(
        [
            TableRow(
                resource=table,
                number=i + 1,
                data={"区县": rng.choice(DISTRICTS), "数量": rng.randint(0, 10**6)},
            )
            for i in range(10000)
        ],
        batch_size=5000,
    )
    _analyze()
    return {"build_s": build_s, "token_rows": token_rows, "table": table, "dataset": table_ds}


def _analyze() -> None:
    """Fresh planner statistics, as a maintained production database has."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _reused() -> dict[str, Any]:
    from ceyuan.opendata.models import Resource, SearchToken

    _analyze()
    table = Resource.objects.get(datastore_active=True, name="table.csv")
    return {"token_rows": SearchToken.objects.count(), "table": table, "dataset": table.dataset}


def timed(fn: Any, repeat: int) -> tuple[float, float, Any]:
    fn()  # warm-up
    samples = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(int(len(samples) * 0.95) - 1, 0)], result


def naive(q: str) -> int:
    from django.db.models import Q

    from ceyuan.opendata import permissions
    from ceyuan.opendata.models import Dataset

    qs = Dataset.objects.filter(permissions.metadata_filter(None))
    for word in [w for w in (q[:3], q[3:]) if w]:
        qs = qs.filter(Q(title_zh__icontains=word) | Q(description_zh__icontains=word))
    return len(list(qs.order_by("-updated_at")[:20])) + qs.count() * 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sqlite-path", default="", help="SQLite file to build (or reuse)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a kept database that holds the catalogue"
    )
    args = parser.parse_args()
    vendor, cleanup = configure(args)
    try:
        run(vendor, args)
    finally:
        if cleanup:
            cleanup()


def run(vendor: str, args: argparse.Namespace) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.test import Client

    from ceyuan.opendata import selectors
    from ceyuan.opendata.models import Dataset

    if args.reuse and Dataset.objects.count() >= args.datasets:
        info = _reused()
        built = "reused"
    else:
        info = generate(args.datasets, args.seed)
        built = f"built in {info['build_s']:.1f} s"
    print(
        f"# {vendor}: {Dataset.objects.count():,} datasets, "
        f"{info['token_rows']:,} index rows, {built}"
    )
    anonymous = AnonymousUser()
    print("\n| query | matches | p50 ms | p95 ms | naive substring p50 ms | ratio naive/ours |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, (q, filters, sort) in QUERIES.items():

        def ours(q: str = q, filters: dict[str, list[str]] = filters, sort: str = sort) -> Any:
            return selectors.search(
                anonymous,
                q=q,
                filters=filters,
                sort=sort,
                rows=20,
                facets=("zone", "publisher", "level"),
            )

        p50, p95, result = timed(ours, args.repeat)
        if q and not filters:
            n50, _n95, _ = timed(lambda q=q: naive(q), max(args.repeat // 3, 5))
            baseline = f"{n50:.1f} | {n50 / p50:.2f}"
        else:
            baseline = "— | —"
        print(f"| {label} | {result.count:,} | {p50:.1f} | {p95:.1f} | {baseline} |")

    client = Client()
    table = info["table"]
    calls = {
        "CKAN package_search q=公交 rows=10 + 3 facets": lambda: client.get(
            "/api/3/action/package_search",
            {"q": "公交", "rows": 10, "facet.field": '["organization","zone","res_format"]'},
        ),
        "CKAN package_show": lambda: client.get(
            "/api/3/action/package_show", {"id": info["dataset"].name}
        ),
        "CKAN datastore_search filters + sort, 100 rows": lambda: client.get(
            "/api/3/action/datastore_search",
            {"resource_id": str(table.uuid), "filters": '{"区县": "海淀区"}', "sort": "数量 desc"},
        ),
        "REST /api/v1/opendata/datasets/?q=医院": lambda: client.get(
            "/api/v1/opendata/datasets/", {"q": "医院"}
        ),
    }
    print("\n| API call (in-process, 1 thread) | p50 ms | requests/s |")
    print("|---|---:|---:|")
    for label, call in calls.items():
        response = call()
        assert response.status_code == 200, (label, response.status_code, response.content[:300])
        n = args.repeat
        t0 = time.perf_counter()
        samples = []
        for _ in range(n):
            s0 = time.perf_counter()
            call()
            samples.append((time.perf_counter() - s0) * 1000)
        elapsed = time.perf_counter() - t0
        print(f"| {label} | {statistics.median(samples):.1f} | {n / elapsed:.1f} |")


if __name__ == "__main__":
    main()
