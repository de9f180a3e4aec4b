"""Differentially private statistics from a release's raw table, under a per-dataset budget.

A steward asks for a count, sum, mean or per-category count of one column of a table uploaded
for safe publication (the raw file, in restricted storage). The privacy engine's OpenDP
mechanisms add the noise; this module keeps the books in the database and publishes.

Invariants:

- the budget of a dataset is the ``dp_epsilon`` of the release policy for its opening level and
  security grade; the epsilons of all its statistics add up (sequential composition) and the
  sum never exceeds the budget: the check and the new ledger row happen in one transaction that
  holds a lock on the dataset's row, so two stewards cannot overspend together;
- a statistic spends its epsilon when it is computed, not when it is published: a withheld
  statistic's noise was drawn all the same;
- only the noisy value is stored; nothing computed from the raw table without noise leaves
  this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ceyuan.audit.services import audit_record

from . import permissions, tabular
from .models import Dataset, DpStatistic, Release
from .privacy import dp
from .resources import release_policy

MAX_CATEGORIES = 200
# Share of a Laplace draw's mass inside ±scale·ln(20): 95 %.
LAPLACE_95 = math.log(20)


@dataclass(frozen=True, slots=True)
class Budget:
    total: float | None  # None: the policy allows no DP statistics for this dataset
    spent: float

    @property
    def remaining(self) -> float:
        return 0.0 if self.total is None else max(0.0, self.total - self.spent)

    @property
    def share_spent(self) -> float:
        return 1.0 if not self.total else min(1.0, self.spent / self.total)


def _total(dataset: Dataset) -> float | None:
    return release_policy().rule_for(dataset.opening_level, dataset.security_grade).dp_epsilon


def _spent(dataset: Dataset) -> float:
    return float(dataset.dp_statistics.aggregate(s=Sum("epsilon"))["s"] or 0.0)


def dataset_budget(dataset: Dataset) -> Budget:
    return Budget(_total(dataset), _spent(dataset))


class _LedgerStorage:
    """``dp.BudgetStorage`` over the ``DpStatistic`` ledger of one locked dataset row.

    ``try_spend`` checks against the rows already written plus what this request has spent;
    the caller writes the new row in the same transaction.
    """

    def __init__(self, dataset: Dataset) -> None:
        self._base = _spent(dataset)
        self._new: list[dp.BudgetEntry] = []

    def spent(self, dataset_id: str) -> float:
        return math.fsum([self._base, *(e.epsilon for e in self._new)])

    def try_spend(self, entry: dp.BudgetEntry, limit: float) -> bool:
        if self.spent(entry.dataset_id) + entry.epsilon > limit + dp.EPS_TOLERANCE:
            return False
        self._new.append(entry)
        return True

    def entries(self, dataset_id: str) -> list[dp.BudgetEntry]:
        return list(self._new)


def _column_values(parsed: tabular.ParsedTable, column: str) -> list[Any]:
    names = [c.name for c in parsed.columns]
    if column not in names:
        raise ValidationError(
            {
                "column": _("The table has no column “%(column)s”; its columns are: %(names)s.")
                % {"column": column, "names": "、".join(names)}
            }
        )
    return [row.get(column) for row in parsed.rows]


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) == ""


def _numbers(values: Sequence[Any], column: str) -> list[float]:
    """Non-empty cells as floats; any other cell is an error naming its row (header = row 1)."""
    numbers: list[float] = []
    bad: list[str] = []
    for index, value in enumerate(values):
        if _is_blank(value):
            continue
        try:
            number = float(str(value).replace(",", "").strip())
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            bad.append(_("row %(row)s (“%(value)s”)") % {"row": index + 2, "value": value})
            continue
        numbers.append(number)
    if bad:
        raise ValidationError(
            {
                "column": _("Column “%(column)s” must hold numbers; not a number: %(rows)s.")
                % {"column": column, "rows": "; ".join(bad[:5]) + ("…" if len(bad) > 5 else "")}
            }
        )
    return numbers


def parse_categories(text: str) -> list[str]:
    """Categories typed one per line or separated by commas (Chinese or ASCII)."""
    parts = [p.strip() for chunk in text.splitlines() for p in chunk.replace("，", ",").split(",")]
    return list(dict.fromkeys(p for p in parts if p))


def _validate(
    kind: str, column: str, categories: Sequence[str], bounds: tuple[float | None, float | None]
) -> None:
    errors: dict[str, str] = {}
    if kind not in DpStatistic.Kind.values:
        errors["kind"] = _("Unknown statistic “%(kind)s”.") % {"kind": kind}
    if kind in {"sum", "mean", "histogram"} and not column:
        errors["column"] = _("Choose the column this statistic is computed from.")
    lower, upper = bounds
    if kind in {"sum", "mean"} and (lower is None or upper is None or not lower < upper):
        errors["upper"] = _(
            "A sum or mean needs bounds with lower < upper: values are clamped to them, "
            "which is what limits one person's influence."
        )
    if kind == "histogram":
        if not categories:
            errors["categories"] = _(
                "List the categories to count. They are declared, never read from the data: "
                "a rare value read from the data would itself disclose someone."
            )
        elif len(categories) > MAX_CATEGORIES:
            errors["categories"] = _("At most %(n)s categories.") % {"n": MAX_CATEGORIES}
    if errors:
        raise ValidationError(errors)


def _mechanism(
    kind: str,
    values: list[Any],
    *,
    column: str,
    categories: Sequence[str],
    bounds: tuple[float, float],
) -> Callable[[float, dp.BudgetAccountant, str], dp.DpResult]:
    if kind == "count":
        rows = [v for v in values if not _is_blank(v)] if column else values
        return lambda eps, acc, label: dp.dp_count(rows, epsilon=eps, accountant=acc, label=label)
    if kind == "histogram":
        cells = ["" if _is_blank(v) else str(v).strip() for v in values]
        return lambda eps, acc, label: dp.dp_histogram(
            cells, categories=categories, epsilon=eps, accountant=acc, label=label
        )
    numbers = _numbers(values, column)
    function = dp.dp_sum if kind == "sum" else dp.dp_mean
    return lambda eps, acc, label: function(
        numbers, bounds=bounds, epsilon=eps, accountant=acc, label=label
    )


def _json_value(kind: str, value: Any) -> Any:
    if kind == "count":
        return max(0, int(value))
    if kind == "histogram":
        return {str(k): int(v) for k, v in value.items()}
    return round(float(value), 6)


def statistic_create(
    *,
    actor: Any,
    release: Release,
    label: str,
    kind: str,
    column: str = "",
    categories: Sequence[str] = (),
    lower: float | None = None,
    upper: float | None = None,
    epsilon: float,
) -> DpStatistic:
    """Compute one noisy statistic from ``release``'s raw table and spend its epsilon."""
    dataset = release.dataset
    if not permissions.can_edit_dataset(actor, dataset):
        raise PermissionDenied(_("You cannot publish data for this dataset."))
    if release.status == Release.Status.REJECTED:
        raise ValidationError(
            {"release": _("A rejected upload cannot be the source of statistics.")}
        )
    label = label.strip()
    if not label:
        raise ValidationError({"label": _("Give the statistic a title.")})
    if not (epsilon > 0 and math.isfinite(epsilon)):
        raise ValidationError({"epsilon": _("Epsilon must be a positive number.")})
    column = column.strip()
    _validate(kind, column, categories, (lower, upper))
    with release.raw_file.open("rb") as handle:
        content = handle.read()
    try:
        parsed = tabular.parse_table(content, filename=release.raw_name)
    except tabular.TableError as exc:
        raise ValidationError({"release": str(exc)}) from exc
    values = _column_values(parsed, column) if column else [None] * len(parsed.rows)
    bounds = (float(lower or 0.0), float(upper or 0.0))
    run = _mechanism(kind, values, column=column, categories=categories, bounds=bounds)

    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        total = _total(locked)
        if total is None:
            raise ValidationError(
                {
                    "epsilon": _(
                        "The release policy sets no privacy budget for %(grade)s data at this "
                        "opening level, so no statistics may be released from it."
                    )
                    % {"grade": locked.get_security_grade_display()}
                }
            )
        accountant = dp.BudgetAccountant(
            locked.name, total, _LedgerStorage(locked), clock=timezone.now
        )
        try:
            result = run(epsilon, accountant, label)
        except dp.BudgetExceeded:
            raise ValidationError(
                {
                    "epsilon": _(
                        "Not enough privacy budget: this statistic needs ε = %(eps)s, and "
                        "%(left)s of the dataset's %(total)s is left."
                    )
                    % {
                        "eps": f"{epsilon:g}",
                        "left": f"{accountant.remaining:g}",
                        "total": f"{total:g}",
                    }
                }
            ) from None
        statistic = DpStatistic.objects.create(
            dataset=locked,
            release=release,
            label=label[:200],
            kind=kind,
            column=column,
            categories=list(categories) if kind == "histogram" else [],
            lower=lower if kind in {"sum", "mean"} else None,
            upper=upper if kind in {"sum", "mean"} else None,
            epsilon=epsilon,
            scale=result.scale,
            value=_json_value(kind, result.value),
            created_by=actor,
        )
        # Re-read the report under a lock: the caller's copy may predate other statistics.
        current = Release.objects.select_for_update().only("report").get(pk=release.pk)
        report = dict(current.report)
        report["dp_releases"] = [
            *report.get("dp_releases", []),
            {
                "label": label,
                "mechanism": result.record.mechanism,
                "epsilon": epsilon,
                "dataset_id": locked.name,
            },
        ]
        current.report = report
        current.save(update_fields=["report"])
        release.report = report
        audit_record(
            actor=actor,
            action="opendata.dp.create",
            target=statistic,
            changes={
                "dataset": locked.name,
                "release": release.number,
                "kind": kind,
                "column": column,
                "epsilon": epsilon,
                "spent": accountant.spent,
                "budget": total,
            },
        )
    return statistic


def _review(actor: Any, statistic: DpStatistic, status: str, action: str) -> DpStatistic:
    if not permissions.can_review(actor, statistic.dataset):
        raise PermissionDenied(_("Only the publishing unit can review a statistic."))
    if statistic.status != DpStatistic.Status.PENDING:
        raise ValidationError(_("This statistic has already been reviewed."))
    with transaction.atomic():
        statistic.status = status
        statistic.reviewed_by = actor
        statistic.reviewed_at = timezone.now()
        statistic.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        audit_record(actor=actor, action=action, target=statistic, changes={"status": status})
    return statistic


def statistic_publish(*, actor: Any, statistic: DpStatistic) -> DpStatistic:
    return _review(actor, statistic, DpStatistic.Status.PUBLISHED, "opendata.dp.publish")


def statistic_withhold(*, actor: Any, statistic: DpStatistic) -> DpStatistic:
    """Keep a statistic unpublished; its epsilon stays spent (the noise was drawn)."""
    return _review(actor, statistic, DpStatistic.Status.REJECTED, "opendata.dp.withhold")


def published_statistics(dataset: Dataset) -> QuerySet[DpStatistic]:
    return dataset.dp_statistics.filter(status=DpStatistic.Status.PUBLISHED)


def margin_95(statistic: DpStatistic) -> float | None:
    """Half-width within which 95 % of the Laplace noise falls (per bin for histograms).

    A mean divides two noisy figures, so it has no single noise scale; None there.
    """
    if statistic.kind == DpStatistic.Kind.MEAN:
        return None
    return statistic.scale * LAPLACE_95
