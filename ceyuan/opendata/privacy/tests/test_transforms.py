"""Transforms and text redaction: safety properties checked with hypothesis."""

from __future__ import annotations

from faker import Faker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceyuan.opendata.privacy.detectors import scan_text
from ceyuan.opendata.privacy.policy import default_policy
from ceyuan.opendata.privacy.transforms import (
    TransformContext,
    TransformSpec,
    apply_transform,
    redact_text,
)

_FAKE = Faker("zh_CN")
_FAKE.seed_instance(11)
# Values generated once (seeded) so hypothesis only combines them.
IDS = [_FAKE.ssn() for _ in range(30)]
PHONES = [_FAKE.phone_number() for _ in range(30)]
EMAILS = [_FAKE.email() for _ in range(30)]
PLATES = [_FAKE.license_plate() for _ in range(30)]
IPS = [_FAKE.ipv4() for _ in range(30)]
NAMES = ["张伟", "王芳", "李娜", "刘德华", "欧阳娜娜", "陈晓明"]
FILLERS = ["，", "。", "请联系", "记者", "说", "住在", "的", " ", "身份证", "电话", "邮箱", "车辆"]
KEY_A = b"release-a-key-0123456789abcdef"
KEY_B = b"release-b-key-fedcba9876543210"

pieces = st.one_of(
    st.sampled_from(IDS),
    st.sampled_from(PHONES),
    st.sampled_from(EMAILS),
    st.sampled_from(PLATES),
    st.sampled_from(IPS),
    st.sampled_from(NAMES),
    st.sampled_from(FILLERS),
    st.text(alphabet="的了在和是有我他这中大来上个国到说们为子", max_size=6),
)
documents = st.lists(pieces, min_size=1, max_size=12).map("".join)
STRUCTURED = [
    "cn_resident_id",
    "cn_mobile",
    "cn_landline",
    "bank_card",
    "email",
    "cn_license_plate",
    "ip_address",
]


def _actions(level: str = "public", grade: str = "general") -> dict[str, TransformSpec]:
    return dict(default_policy().rule_for(level, grade).actions)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from(["public", "restricted", "non_public"]))
def test_redaction_is_idempotent(text: str, level: str) -> None:
    ctx = TransformContext(key=KEY_A)
    actions = _actions(level)
    once, _ = redact_text(text, actions, ctx, types=STRUCTURED)
    twice, found = redact_text(once, actions, ctx, types=STRUCTURED)
    assert twice == once
    assert found == []


separated = st.lists(pieces, min_size=1, max_size=12).map("，".join)


@settings(max_examples=60, deadline=None)
@given(separated, st.sampled_from(["public", "restricted"]))
def test_no_detected_span_survives_redaction(text: str, level: str) -> None:
    ctx = TransformContext(key=KEY_A)
    before = scan_text(text, STRUCTURED)
    redacted, _ = redact_text(text, _actions(level), ctx, types=STRUCTURED)
    for f in before:
        assert text[f.start : f.end] not in redacted
    assert scan_text(redacted, STRUCTURED) == []


@settings(max_examples=60, deadline=None)
@given(documents)
def test_redacted_text_has_nothing_left_to_detect(text: str) -> None:
    redacted, _ = redact_text(
        text, _actions("restricted"), TransformContext(key=KEY_A), types=STRUCTURED
    )
    assert scan_text(redacted, STRUCTURED) == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(IDS + PHONES + EMAILS), min_size=2, max_size=8))
def test_pseudonyms_are_consistent_within_a_release(values: list[str]) -> None:
    spec = TransformSpec("pseudonym")
    ctx = TransformContext(key=KEY_A, entity_type="cn_resident_id")
    first = {v: apply_transform(spec, v, ctx).value for v in values}
    again = {v: apply_transform(spec, v, ctx).value for v in reversed(values)}
    assert first == again
    assert len(set(first.values())) == len(set(values))


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(IDS), st.binary(min_size=16, max_size=32), st.binary(min_size=16, max_size=32)
)
def test_pseudonyms_are_unlinkable_across_releases_with_different_keys(
    value: str, key_a: bytes, key_b: bytes
) -> None:
    if key_a == key_b:
        return
    spec = TransformSpec("pseudonym", {"length": 12})
    a = apply_transform(spec, value, TransformContext(key=key_a, entity_type="person")).value
    b = apply_transform(spec, value, TransformContext(key=key_b, entity_type="person")).value
    assert a != b


def test_mask_keeps_the_configured_part() -> None:
    spec = TransformSpec("mask", {"keep_start": 3, "keep_end": 4})
    assert apply_transform(spec, "13812345678", TransformContext(key=KEY_A)).value == "138****5678"


def test_keyed_hash_depends_on_the_key_and_has_no_digits() -> None:
    spec = TransformSpec("hash", {"length": 16})
    a = apply_transform(spec, IDS[0], TransformContext(key=KEY_A, entity_type="x")).value
    b = apply_transform(spec, IDS[0], TransformContext(key=KEY_B, entity_type="x")).value
    assert a != b
    assert a is not None and len(a) == 16 and not any(c.isdigit() for c in a)


def test_generalise_age_date_address_and_coordinates() -> None:
    ctx = TransformContext(key=KEY_A)

    def gen(value: str, **params: object) -> str | None:
        return apply_transform(TransformSpec("generalize", params), value, ctx).value

    assert gen("37", kind="age") == "30-39"
    assert gen("37", kind="age", width=5) == "35-39"
    assert gen("2023-05-17", kind="date") == "2023-05"
    assert gen("2023年5月17日", kind="date", level="year") == "2023"
    assert gen("北京市海淀区中关村大街27号", kind="address") == "北京市海淀区"
    assert gen("浙江省杭州市西湖区文三路1号", kind="address", level="city") == "浙江省杭州市"
    assert gen("宁波市江东区金家一路", kind="address", level="province") == "浙江省"
    assert gen("39.904211,116.407395", kind="coordinates") == "39.90,116.41"


def test_suppressed_span_becomes_a_type_label_in_text() -> None:
    text = "身份证360426199101010071已登记"
    out, found = redact_text(
        text, {"cn_resident_id": TransformSpec("suppress")}, TransformContext(key=KEY_A)
    )
    assert out == "身份证〔身份证号〕已登记"
    assert [f.type for f in found] == ["cn_resident_id"]


def test_type_without_action_is_suppressed_not_kept() -> None:
    out, _ = redact_text("手机13812345678", {}, TransformContext(key=KEY_A))
    assert "13812345678" not in out
