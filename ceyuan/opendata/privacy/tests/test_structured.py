"""Structured identifiers: valid values are found, checksum-invalid ones never are."""

from __future__ import annotations

import random

import pytest
from faker import Faker

from ceyuan.opendata.privacy.detectors import DETECTORS, scan_text
from ceyuan.opendata.privacy.detectors.structured import (
    USCC_ALPHABET,
    is_valid_resident_id,
    is_valid_uscc,
    luhn_valid,
    resident_id_check_char,
    uscc_check_char,
)


def types_in(text: str) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], f.type) for f in scan_text(text)]


def test_public_test_vectors_validate() -> None:
    assert is_valid_resident_id("360426199101010071")
    assert is_valid_uscc("91110000600037341L")


def test_resident_id_with_wrong_check_digit_is_not_reported() -> None:
    good = "360426199101010071"
    bad = good[:17] + ("2" if good[17] != "2" else "3")
    assert types_in(f"身份证号{good}。") == [(good, "cn_resident_id")]
    assert all(t != "cn_resident_id" for _, t in types_in(f"身份证号{bad}。"))


def test_resident_id_with_impossible_birth_date_is_not_reported() -> None:
    first17 = "36042619910230007"  # 30 February
    value = first17 + resident_id_check_char(first17)
    assert not is_valid_resident_id(value)
    assert scan_text(value, ["cn_resident_id"]) == []


def test_faker_ids_in_sentences_are_all_found() -> None:
    fake = Faker("zh_CN")
    fake.seed_instance(7)
    for _ in range(200):
        value = fake.ssn()
        text = f"申请人{fake.name()}的身份证号码为{value}，请核实。"
        found = [text[f.start : f.end] for f in scan_text(text, ["cn_resident_id"])]
        assert found == [value]


def test_id_number_inside_a_longer_digit_run_is_not_reported() -> None:
    assert scan_text("订单号1360426199101010071", ["cn_resident_id"]) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请拨打13812345678联系", "13812345678"),
        ("手机：+86 138 1234 5678。", "+86 138 1234 5678"),
        ("电话010-62751234转", "010-62751234"),
        ("热线（0571）87654321", "（0571）87654321"),
    ],
)
def test_phone_numbers_are_found(text: str, expected: str) -> None:
    found = [text[f.start : f.end] for f in scan_text(text, ["cn_mobile", "cn_landline"])]
    assert found == [expected]


def test_mobile_with_reserved_second_digit_is_not_reported() -> None:
    assert scan_text("编号12812345678", ["cn_mobile"]) == []


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    for d in "0123456789":
        if luhn_valid(body + d):
            return body + d
    raise AssertionError


def test_unionpay_cards_pass_and_luhn_failures_do_not() -> None:
    rng = random.Random(3)
    for _ in range(100):
        card = _luhn_complete("62", rng.choice([16, 19]), rng)
        assert [f.type for f in scan_text(f"卡号{card}", ["bank_card"])] == ["bank_card"]
        broken = card[:-1] + str((int(card[-1]) + 1) % 10)
        assert scan_text(f"卡号{broken}", ["bank_card"]) == []


def test_uscc_check_character_is_enforced() -> None:
    rng = random.Random(5)
    for _ in range(100):
        first = "91" + rng.choice(["110108", "310115", "440305", "620102"])
        first += "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        code = first + uscc_check_char(first)
        assert [f.type for f in scan_text(f"代码{code}。", ["cn_uscc"])] == ["cn_uscc"]
        wrong = next(c for c in USCC_ALPHABET if c != code[-1])
        assert scan_text(f"代码{first + wrong}。", ["cn_uscc"]) == []


@pytest.mark.parametrize(
    "plate", ["京A12345", "粤B·D12345", "沪AD12345", "苏E12345F", "浙A1234学", "赣T-07439"]
)
def test_licence_plates_including_new_energy_are_found(plate: str) -> None:
    assert [f.type for f in scan_text(f"车辆{plate}违停", ["cn_license_plate"])] == [
        "cn_license_plate"
    ]


def test_plate_with_letter_o_is_not_a_plate() -> None:
    assert scan_text("京AOOOOO", ["cn_license_plate"]) == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("护照号码E12345678", "cn_passport"),
        ("港澳通行证C12345678", "cn_travel_permit"),
        ("服务器192.168.1.20宕机", "ip_address"),
        ("地址2001:db8::8a2e:370:7334可达", "ip_address"),
        ("位置39.904211,116.407395附近", "geo_coordinates"),
        ("北纬39.9042, 东经116.4074", "geo_coordinates"),
        ("写信到zhang.san@example.com.cn吧", "email"),
    ],
)
def test_other_identifiers_are_found(text: str, kind: str) -> None:
    assert kind in {f.type for f in scan_text(text)}


def test_invalid_ip_and_short_decimals_are_not_reported() -> None:
    assert scan_text("版本号1.2.3.456发布", ["ip_address"]) == []
    assert scan_text("比分3.5,2.1", ["geo_coordinates"]) == []


def test_every_detector_is_registered_under_its_type() -> None:
    expected = {
        "cn_resident_id",
        "cn_mobile",
        "cn_landline",
        "bank_card",
        "email",
        "cn_license_plate",
        "cn_uscc",
        "cn_passport",
        "cn_travel_permit",
        "ip_address",
        "geo_coordinates",
        "person",
        "address",
    }
    assert expected <= set(DETECTORS.names())


def test_eighteen_digit_card_with_an_impossible_birth_year_is_a_card() -> None:
    # Positions 7-14 read as the year 4148: not ID-shaped, so the Luhn-valid card stands.
    assert [f.type for f in scan_text("卡号622189414806075757。")] == ["bank_card"]
