"""Tables: column roles, k-anonymity with l-diversity, re-identification risk."""

from __future__ import annotations

import random

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceyuan.opendata.privacy.policy import default_policy
from ceyuan.opendata.privacy.release import ReleaseContext, apply_policy
from ceyuan.opendata.privacy.report import PrivacyReport
from ceyuan.opendata.privacy.tables import (
    is_k_anonymous,
    k_anonymize,
    reidentification_risk,
    scan_table,
)

from .support import FIXED_NOW

DISTRICTS = [
    "北京市海淀区",
    "北京市朝阳区",
    "浙江省杭州市西湖区",
    "浙江省宁波市鄞州区",
    "广东省深圳市南山区",
]
DIAGNOSES = ["流感", "高血压", "糖尿病", "骨折"]

rows = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=99),
        st.sampled_from(["男", "女"]),
        st.sampled_from(DISTRICTS),
        st.sampled_from(DIAGNOSES),
    ),
    min_size=0,
    max_size=80,
)


def _frame(data: list[tuple[int, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(data, columns=["年龄", "性别", "住址", "诊断"]).astype({"年龄": "int64"})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows, st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=3))
def test_k_anonymity_and_l_diversity_hold_on_every_output(
    data: list[tuple[int, str, str, str]], k: int, l_div: int
) -> None:
    table = _frame(data)
    qis = ["年龄", "性别", "住址"]
    result = k_anonymize(table, qis, k=k, l=l_div, sensitive=["诊断"], max_suppression=0.1)
    assert is_k_anonymous(result.table, qis, k, sensitive=["诊断"], l=l_div)
    assert result.report.suppressed_records == len(table) - len(result.table)
    if len(result.table):
        assert result.report.risk_after.max_risk <= 1 / k + 1e-12
    assert 0.0 <= result.report.generalisation_loss <= 1.0


def test_generalisation_lowers_prosecutor_risk() -> None:
    rng = random.Random(1)
    data = [
        (rng.randint(18, 80), rng.choice("男女"), rng.choice(DISTRICTS), rng.choice(DIAGNOSES))
        for _ in range(200)
    ]
    table = _frame(data)
    qis = ["年龄", "性别", "住址"]
    before = reidentification_risk(table, qis, 5)
    result = k_anonymize(table, qis, k=5, max_suppression=0.05)
    assert before.share_below_k > 0.5
    assert result.report.risk_before == before
    assert result.report.risk_after.share_below_k == 0.0
    assert result.report.risk_after.max_risk <= 0.2
    assert result.report.suppression_loss <= 0.05
    assert result.report.levels["年龄"] > 0


def test_input_table_is_not_modified() -> None:
    table = _frame([(30, "男", DISTRICTS[0], "流感")] * 3 + [(31, "女", DISTRICTS[1], "骨折")])
    copy = table.copy()
    k_anonymize(table, ["年龄", "性别", "住址"], k=2)
    pd.testing.assert_frame_equal(table, copy)


def test_scan_table_suggests_roles() -> None:
    table = pd.DataFrame(
        {
            "姓名": ["张伟", "王芳", "李娜", "刘强"],
            "手机": ["13812345678", "13912345678", "15012345678", "18612345678"],
            "年龄": [30, 41, 25, 37],
            "诊断": ["流感", "骨折", "流感", "高血压"],
            "备注": ["无", "无", "复查", "无"],
        }
    )
    roles = {c.name: c.role for c in scan_table(table).columns}
    assert roles == {
        "姓名": "identifier",
        "手机": "identifier",
        "年龄": "quasi_identifier",
        "诊断": "sensitive",
        "备注": "other",
    }


def test_apply_policy_transforms_identifiers_and_reports() -> None:
    n = 60
    table = pd.DataFrame(
        {
            "姓名": ["张伟", "王芳", "李娜", "刘强", "陈静", "杨洋"] * (n // 6),
            "身份证号": ["360426199101010071"] * n,
            "年龄": [20 + (i % 40) for i in range(n)],
            "性别": ["男", "女"] * (n // 2),
            "住址": [DISTRICTS[i % 5] + "某路1号" for i in range(n)],
            "诊断": [DIAGNOSES[i % 4] for i in range(n)],
            "备注": [f"患者电话1381234{i:04d}" for i in range(n)],
        }
    )
    context = ReleaseContext(
        release_id="r1",
        opening_level="public",
        security_grade="general",
        key=b"k" * 32,
        now=FIXED_NOW,
        source="test.csv",
    )
    out, report = apply_policy(table, default_policy(), context)
    assert "360426199101010071" not in out.to_string()
    assert not out["备注"].astype(str).str.contains(r"1381234\d{4}").any()
    assert "张伟" not in set(out["姓名"].dropna())
    assert report.anonymity is not None and report.anonymity.k == 5
    assert is_k_anonymous(out, list(report.anonymity.quasi_identifiers), 5)
    assert report.counts["cn_resident_id"] == n
    assert report.counts["cn_mobile"] == n
    assert PrivacyReport.from_dict(report.to_dict()) == report


def test_free_text_column_is_redacted_in_place_not_replaced_whole() -> None:
    table = pd.DataFrame(
        {"备注": [f"客户住在北京市海淀区中关村大街{i}号，很满意" for i in range(10)]}
    )
    context = ReleaseContext("r", "restricted", "general", b"k" * 32, FIXED_NOW)
    out, report = apply_policy(table, default_policy(), context)
    assert set(out["备注"]) == {"客户住在北京市海淀区，很满意"}
    assert report.counts == {"address": 10}
    assert report.columns[0].cell_type is None
