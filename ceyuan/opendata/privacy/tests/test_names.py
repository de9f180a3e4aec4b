"""Person names and addresses in free text, plus a quick check on shared labelled data."""

from __future__ import annotations

import pytest

from ceyuan.opendata.privacy.detectors import scan_text
from ceyuan.opendata.privacy.detectors.names import find_person, looks_like_name_cell

from .support import msra_person_scores


def spans(text: str, kind: str) -> list[str]:
    return [text[f.start : f.end] for f in scan_text(text, [kind])]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("记者王晓明报道，会议于昨日召开。", "王晓明"),
        ("张三丰说这很好。", "张三丰"),
        ("浙商银行企业信贷部叶老桂博士则从另一个角度进行了解读。", "叶老桂"),
        ("欧阳娜娜女士出席了发布会。", "欧阳娜娜"),
        ("外交大臣库克今天发表讲话。", "库克"),
    ],
)
def test_names_with_context_are_found(text: str, name: str) -> None:
    assert name in spans(text, "person")


@pytest.mark.parametrize(
    "text",
    ["今天北京有雷阵雨。", "我们要建设和谐社会，提高安全意识。", "阿根廷队在莫斯科取得胜利。"],
)
def test_ordinary_words_and_places_are_not_names(text: str) -> None:
    assert spans(text, "person") == []


def test_a_name_is_found_wherever_it_recurs() -> None:
    text = "记者李长春报道。李长春认为，李长春的观点值得重视。"
    assert spans(text, "person") == ["李长春", "李长春", "李长春"]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "他住在北京市海淀区中关村大街27号院3号楼201室。",
            "北京市海淀区中关村大街27号院3号楼201室",
        ),
        ("郑州市中原区须水镇西岗村", "郑州市中原区须水镇西岗村"),
        ("快递送到幸福路5号。", "幸福路5号"),
        ("杭州市西湖区三墩镇丰盛九座13-2021", "杭州市西湖区三墩镇丰盛九座13-2021"),
    ],
)
def test_addresses_are_found(text: str, address: str) -> None:
    assert spans(text, "address") == [address]


def test_a_bare_city_in_news_is_not_an_address() -> None:
    assert spans("北京是中国的首都，上海是经济中心。", "address") == []


def test_name_cells_are_recognised() -> None:
    assert looks_like_name_cell("张伟")
    assert looks_like_name_cell("欧阳娜娜")
    assert not looks_like_name_cell("流感")
    assert not looks_like_name_cell("13812345678")


@pytest.mark.shared_data
def test_rules_alone_on_a_news_sample_beat_the_jieba_baseline_level() -> None:
    """The rules without the CRF on 400 MSRA sentences; the full figures are in the benchmark."""
    scores = msra_person_scores(
        lambda text: {(f.start, f.end) for f in find_person(text, None) if f.confidence >= 0.5}
    )
    assert scores[2] >= 0.55, scores
