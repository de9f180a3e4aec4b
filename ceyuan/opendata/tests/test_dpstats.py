"""Differentially private statistics: computed from the raw table, within the dataset's budget."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceyuan.audit.models import AuditEntry
from ceyuan.opendata import dpstats, releases
from ceyuan.opendata.models import DpStatistic
from ceyuan.opendata.privacy.policy import PolicyError, policy_from_dict

SEXES = ["男", "女"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _table(rows: int = 60, seed: int = 7) -> tuple[bytes, list[int]]:
    rng = random.Random(seed)
    ages = [rng.randint(18, 80) for _ in range(rows)]
    lines = ["姓名,年龄,性别,区县"]
    for i, age in enumerate(ages):
        lines.append(f"张{'伟芳娜敏静'[i % 5]}{i},{age},{SEXES[i % 2]},海淀区")
    return ("\n".join(lines) + "\n").encode(), ages


@pytest.fixture
def source(catalogue: Any) -> Any:
    content, _ = _table()
    return releases.release_create(
        actor=catalogue.world.officer,
        dataset=catalogue.restricted,  # restricted / general: budget ε = 2.0 in the policy
        content=content,
        filename="people.csv",
    )


def _create(source: Any, actor: Any, **kwargs: Any) -> DpStatistic:
    args: dict[str, Any] = {"label": "记录数", "kind": "count", "epsilon": 0.5}
    args.update(kwargs)
    return dpstats.statistic_create(actor=actor, release=source, **args)


def test_steward_computes_reviews_and_publishes_statistics(catalogue: Any, source: Any) -> None:
    officer = catalogue.world.officer
    dataset = catalogue.restricted
    client = Client()
    client.force_login(officer)
    url = reverse("opendata:statistic-create", args=[dataset.name])
    page = client.get(url).content.decode()
    assert "2" in page and 'data-testid="budget"' in page

    response = client.post(
        url,
        {
            "release": source.pk,
            "label": "平均年龄",
            "kind": "mean",
            "column": "年龄",
            "lower": 0,
            "upper": 100,
            "epsilon": 1.0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mean = DpStatistic.objects.get(label="平均年龄")
    _, ages = _table()
    assert mean.status == DpStatistic.Status.PENDING
    assert abs(mean.value - sum(ages) / len(ages)) < 25  # noisy, but of the right size

    histogram = dpstats.statistic_create(
        actor=officer,
        release=source,
        label="性别分布",
        kind="histogram",
        column="性别",
        categories=dpstats.parse_categories("男，女"),
        epsilon=0.5,
    )
    assert set(histogram.value) == {"男", "女", "__other__"}
    assert dpstats.dataset_budget(dataset).spent == pytest.approx(1.5)

    # Nothing is public before review.
    anonymous = Client()
    api = reverse("api-opendata-dataset-statistics", args=[dataset.name])
    assert anonymous.get(api).json() == []
    assert "平均年龄" not in anonymous.get(reverse("opendata:dataset", args=[dataset.name])).text
    assert anonymous.get(reverse("opendata:statistic", args=[mean.pk])).status_code == 404

    assert (
        client.post(reverse("opendata:statistic", args=[mean.pk]), {"decision": "publish"})
    ).status_code == 302
    client.post(reverse("opendata:statistic", args=[histogram.pk]), {"decision": "withhold"})
    listed = anonymous.get(api).json()
    assert [s["label"] for s in listed] == ["平均年龄"]
    assert listed[0]["epsilon"] == 1.0 and listed[0]["kind"] == "mean"
    public_page = anonymous.get(reverse("opendata:dataset", args=[dataset.name])).text
    assert "平均年龄" in public_page and "性别分布" not in public_page
    assert anonymous.get(reverse("opendata:statistic", args=[mean.pk])).status_code == 200
    # Withholding does not give the budget back; the release's report lists both.
    assert dpstats.dataset_budget(dataset).spent == pytest.approx(1.5)
    source.refresh_from_db()
    assert [d["label"] for d in source.report["dp_releases"]] == ["平均年龄", "性别分布"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"opendata.dp.create", "opendata.dp.publish", "opendata.dp.withhold"} <= actions


def test_budget_cannot_be_overspent(catalogue: Any, source: Any) -> None:
    officer = catalogue.world.officer
    _create(source, officer, epsilon=1.5)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        _create(source, officer, epsilon=0.6)
    message = " ".join(refused.value.messages)
    assert "0.5" in message and "2" in message
    assert DpStatistic.objects.count() == 1 and AuditEntry.objects.count() == before
    _create(source, officer, epsilon=0.5)  # exactly what is left
    budget = dpstats.dataset_budget(catalogue.restricted)
    assert budget.remaining == 0.0 and budget.spent == pytest.approx(2.0)
    with pytest.raises(ValidationError):
        _create(source, officer, epsilon=0.001)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.floats(min_value=0.01, max_value=1.2), min_size=1, max_size=8))
def test_spent_budget_never_exceeds_the_total(
    catalogue: Any, source: Any, epsilons: list[float]
) -> None:
    officer = catalogue.world.officer
    with transaction.atomic():
        for epsilon in epsilons:
            before = dpstats.dataset_budget(catalogue.restricted)
            try:
                _create(source, officer, epsilon=epsilon)
                refused = False
            except ValidationError:
                refused = True
            # Refused exactly when it would overspend.
            assert refused == (before.spent + epsilon > 2.0 + 1e-12)
            budget = dpstats.dataset_budget(catalogue.restricted)
            assert budget.total is not None
            assert budget.spent <= budget.total + 1e-9
            assert budget.remaining >= 0
        transaction.set_rollback(True)


def test_bad_requests_are_refused_with_the_reason(catalogue: Any, source: Any) -> None:
    officer = catalogue.world.officer
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"kind": "mean", "column": "姓名", "lower": 0, "upper": 10}, "column", "row 2"),
        ({"kind": "sum", "column": "收入", "lower": 0, "upper": 10}, "column", "年龄"),
        ({"kind": "sum", "column": "年龄"}, "upper", "lower < upper"),
        ({"kind": "histogram", "column": "性别"}, "categories", "declared"),
        ({"kind": "count", "epsilon": -1}, "epsilon", "positive"),
        ({"kind": "count", "label": " "}, "label", "title"),
    ]
    for kwargs, field, text in cases:
        with pytest.raises(ValidationError) as error:
            _create(source, officer, **kwargs)
        messages = error.value.message_dict[field]
        assert any(text in m for m in messages), (kwargs, messages)
    assert not DpStatistic.objects.exists()

    with pytest.raises(PermissionDenied):
        _create(source, catalogue.world.outsider_officer)


def test_a_grade_without_budget_releases_nothing(catalogue: Any) -> None:
    dataset = catalogue.restricted
    content, _ = _table()
    source = releases.release_create(
        actor=catalogue.world.officer, dataset=dataset, content=content, filename="p.csv"
    )
    dataset.security_grade = "core"  # the default policy sets no budget for restricted/core
    dataset.save(update_fields=["security_grade"])
    with pytest.raises(ValidationError) as error:
        _create(source, catalogue.world.officer)
    assert "no privacy budget" in " ".join(error.value.messages)
    assert dpstats.dataset_budget(dataset).total is None


def test_pending_statistics_are_hidden_from_other_units(catalogue: Any, source: Any) -> None:
    statistic = _create(source, catalogue.world.officer)
    other = Client()
    other.force_login(catalogue.world.outsider_officer)
    assert other.get(reverse("opendata:statistic", args=[statistic.pk])).status_code == 404
    assert (
        other.post(reverse("opendata:statistic", args=[statistic.pk]), {"decision": "publish"})
    ).status_code == 404
    statistic.refresh_from_db()
    assert statistic.status == DpStatistic.Status.PENDING


def test_policy_budget_must_be_positive() -> None:
    policy = {"version": 1, "levels": {"public": {"general": {"dp_epsilon": -1}}}}
    with pytest.raises(PolicyError, match=r"levels\.public\.general\.dp_epsilon"):
        policy_from_dict(policy)
