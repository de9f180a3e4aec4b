"""The shipped person-name CRF, the detector built on it, and ``privacy train-names``."""

from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path

import pytest

from ceyuan.opendata.privacy.cli import main
from ceyuan.opendata.privacy.detectors import DETECTORS, scan_text
from ceyuan.opendata.privacy.detectors.name_model import (
    MAX_PIECE,
    PersonModel,
    find_names,
    person_model,
)
from ceyuan.opendata.privacy.detectors.names import find_person

from .support import msra_person_scores
from .test_lexical_model import generated_sentences


def _names(text: str, model: PersonModel | None) -> list[str]:
    return [text[f.start : f.end] for f in find_names(text, model) if f.confidence >= 0.5]


def _shipped() -> PersonModel:
    model = person_model()
    assert model is not None, "detectors/models/person.crfsuite is missing from the package"
    return model


def test_the_shipped_model_loads_and_finds_names_in_news_like_sentences() -> None:
    model = _shipped()
    assert _names("新华社记者王晓明报道，国务院总理李鹏今天会见了外宾。", model) == [
        "王晓明",
        "李鹏",
    ]
    assert _names("外交部发言人朱邦造说，中方对此表示欢迎。", model) == ["朱邦造"]


def test_the_shipped_model_finds_unseen_generated_names() -> None:
    model = _shipped()
    sentences = generated_sentences(40, seed=20261129)
    hits = sum(
        span in {(f.start, f.end) for f in find_names(text, model) if f.confidence >= 0.5}
        for text, span in sentences
    )
    assert hits >= 34, hits


def test_ordinary_text_yields_no_names() -> None:
    model = _shipped()
    for text in [
        "今天北京有雷阵雨。",
        "我们要建设和谐社会，提高安全意识。",
        "编号AB12345，金额300元。",
        "True\nFalse\nTrue",  # a yes/no column joined into one string, as scan_table does
        "Status: False",
    ]:
        assert _names(text, model) == []


def test_the_person_detector_reports_crf_findings() -> None:
    assert "person" in DETECTORS
    text = "记者王晓明报道，会议于昨日召开。"
    found = scan_text(text, ["person"])
    assert [(text[f.start : f.end], f.rule.split("+")[0]) for f in found] == [("王晓明", "crf")]
    assert all(0.5 <= f.confidence <= 0.99 for f in found)


def test_long_text_without_sentence_ends_keeps_offsets() -> None:
    model = _shipped()
    filler = "的" * (MAX_PIECE + 137)
    text = filler + "，记者王晓明报道，" + filler
    start = text.index("王晓明")
    assert (start, start + 3) in {(f.start, f.end) for f in find_names(text, model)}


def test_without_a_model_the_rules_answer() -> None:
    text = "记者王晓明报道，会议于昨日召开。"
    assert list(find_names(text, None)) == list(find_person(text, None))


def test_each_thread_decodes_with_its_own_tagger() -> None:
    model = _shipped()
    sentences = generated_sentences(20, seed=5)
    expected = [_names(t, model) for t, _ in sentences]
    results: list[list[list[str]]] = []

    def run() -> None:
        results.append([_names(t, model) for t, _ in sentences])

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 3


def test_bytes_that_are_not_a_model_are_refused_on_load() -> None:
    with pytest.raises(ValueError):
        PersonModel(b"not a crfsuite model")


# --- train-names ------------------------------------------------------------------------


def _write_corpus(root: Path, n: int, seed: int) -> None:
    path = root / "msra_ner" / "val.spans.jsonl.gz"
    path.parent.mkdir(parents=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for i, (text, (s, e)) in enumerate(generated_sentences(n, seed)):
            ent = {"start": s, "end": e, "label": "PER", "text": text[s:e]}
            fh.write(json.dumps({"id": str(i), "text": text, "entities": [ent]}) + "\n")


def test_train_names_builds_a_model_that_loads_and_tags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_corpus(tmp_path / "data", 80, seed=1)
    out = tmp_path / "models" / "person.crfsuite"
    argv = ["train-names", "--data", str(tmp_path / "data"), "--out", str(out)]
    assert main([*argv, "--max-iterations", "30", "--min-freq", "1"]) == 0
    err = capsys.readouterr().err
    assert "iteration 10/30" in err and "80 sentences" in err and "corpora msra" in err
    model = PersonModel(out.read_bytes())
    sentences = generated_sentences(12, seed=99)
    hits = sum(
        span in {(f.start, f.end) for f in find_names(text, model)} for text, span in sentences
    )
    assert hits >= 6, hits
    assert not list(out.parent.glob("*.tmp"))


def test_train_names_is_deterministic(tmp_path: Path) -> None:
    _write_corpus(tmp_path / "data", 30, seed=2)
    outs = [tmp_path / "a.crfsuite", tmp_path / "b.crfsuite"]
    for out in outs:
        argv = ["train-names", "--data", str(tmp_path / "data"), "--out", str(out), "--quiet"]
        assert main([*argv, "--max-iterations", "10"]) == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()


def test_train_names_explains_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "m.crfsuite")
    assert main(["train-names", "--data", str(tmp_path / "nowhere"), "--out", out]) == 1
    assert "not a directory" in capsys.readouterr().err
    assert main(["train-names", "--data", str(tmp_path), "--out", out]) == 1
    assert "none of the labelled files was found" in capsys.readouterr().err
    assert main(["train-names", "--data", str(tmp_path), "--out", out, "--exclude", "bbc"]) == 1
    assert "unknown corpus bbc" in capsys.readouterr().err
    bad = tmp_path / "weibo_ner" / "train.spans.jsonl"
    bad.parent.mkdir()
    bad.write_text('{"text": "张三", "entities": []}\n{"text": 1}\n', encoding="utf-8")
    assert main(["train-names", "--data", str(tmp_path), "--out", out]) == 1
    assert "train.spans.jsonl: line 2: not a span record" in capsys.readouterr().err
    assert not Path(out).exists()


# --- shared data ------------------------------------------------------------------------


@pytest.mark.shared_data
def test_shipped_model_on_a_news_sample_reaches_the_in_sample_floor() -> None:
    """400 MSRA sentences the shipped model was trained on: a regression guard, not a
    blind figure (those come from bench/privacy_names_model.py, leave-one-corpus-out)."""
    scores = msra_person_scores(
        lambda text: {(f.start, f.end) for f in scan_text(text, ["person"])}
    )
    assert scores[2] >= 0.85, scores
