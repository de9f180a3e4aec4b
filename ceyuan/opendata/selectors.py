"""Reads: catalogue search with facets, the table store query, usage statistics.

Search is an inverted index of jieba tokens (``SearchToken``): a query is segmented the same
way, and a dataset matches when it holds every query token (AND); relevance is the summed
token weight (title tokens weigh more). Plain B-tree indexes and ``IN`` subqueries only, so it
behaves the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from ceyuan.accounts.models import Organisation

from . import permissions, segment, tablekeys
from .models import (
    AccessLog,
    Application,
    Dataset,
    Grant,
    Resource,
    SearchToken,
    TableColumn,
    TableRow,
    Theme,
    Zone,
)

FACETS = ("zone", "publisher", "theme", "level", "format", "grade", "keyword")
SORTS = {
    "relevance": None,
    "updated": "-updated_at",
    "-updated": "updated_at",
    "title": "title_zh",
    "-title": "-title_zh",
    "name": "name",
    "created": "-created_at",
}


@dataclass
class SearchResult:
    count: int
    datasets: list[Dataset]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def datasets_visible(user: Any) -> QuerySet[Dataset]:
    return Dataset.objects.filter(permissions.metadata_filter(user))


def _apply_filters(
    qs: QuerySet[Dataset], filters: Mapping[str, Sequence[str]]
) -> QuerySet[Dataset]:
    for name, values in filters.items():
        values = [v for v in values if v != ""]
        if not values:
            continue
        if name == "keyword":
            for value in values:
                if _json_contains():
                    qs = qs.filter(keywords__contains=[value])
                else:  # SQLite: match the stored JSON text, escaped or not
                    qs = qs.filter(
                        Q(keywords__icontains=json.dumps(value))
                        | Q(keywords__icontains=f'"{value}"')
                    )
            continue
        if name == "zone":
            qs = qs.filter(
                zone_id__in=list(Zone.objects.filter(code__in=values).values_list("pk", flat=True))
            )
        elif name == "publisher":
            qs = qs.filter(
                publisher_id__in=list(
                    Organisation.objects.filter(code__in=values).values_list("pk", flat=True)
                )
            )
        elif name == "level":
            qs = qs.filter(access__in=values)
        elif name == "grade":
            qs = qs.filter(security_grade__in=values)
        elif name == "theme":
            through = Dataset.themes.through
            for value in values:
                qs = qs.filter(
                    pk__in=through.objects.filter(theme__code=value).values("dataset_id")
                )
        elif name == "format":
            for value in values:
                qs = qs.filter(pk__in=Resource.objects.filter(format=value).values("dataset_id"))
        elif name == "name":
            qs = qs.filter(name__in=values)
        elif name == "status":
            qs = qs.filter(status__in=values)
        elif name == "training":
            qs = qs.filter(is_training=values[0] in ("1", "true", "True"))
    return qs


def _json_contains() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def search(
    user: Any,
    *,
    q: str = "",
    filters: Mapping[str, Sequence[str]] | None = None,
    sort: str = "",
    start: int = 0,
    rows: int = 20,
    facets: Sequence[str] = (),
    facet_limit: int = 50,
) -> SearchResult:
    qs = datasets_visible(user)
    terms = segment.query_tokens(q) if q.strip() else []
    if q.strip() and not terms:  # only punctuation or stop words: nothing to match, not all
        qs = qs.none()
    if terms:
        matching = (
            SearchToken.objects.filter(token__in=terms)
            .values("dataset_id")
            .annotate(n=Count("token"))
            .filter(n=len(terms))
            .values("dataset_id")
        )
        qs = qs.filter(pk__in=matching)
    qs = _apply_filters(qs, filters or {})
    order = SORTS.get(sort or ("relevance" if terms else "updated"), "-updated_at")
    if order is None and terms:
        count, page = _by_relevance(qs, terms, start, rows)
    else:
        count = qs.count()
        page = list(
            qs.order_by(order or "-updated_at", "pk").select_related("publisher", "zone")[
                start : start + rows
            ]
        )
    result = SearchResult(count=count, datasets=page)
    for name in facets:
        result.facets[name] = facet_counts(qs, name, facet_limit)
    return result


def _by_relevance(
    qs: QuerySet[Dataset], terms: list[str], start: int, rows: int
) -> tuple[int, list[Dataset]]:
    """Rank the matches by summed token weight, then recency.

    The matching (id, modified) pairs and the per-dataset scores are two index-only reads;
    ranking them in Python beats a correlated score subquery per row on both databases."""
    scores = dict(
        SearchToken.objects.filter(token__in=terms)
        .values("dataset_id")
        .annotate(n=Count("token"), s=Sum("weight"))
        .filter(n=len(terms))
        .values_list("dataset_id", "s")
    )
    # newest first from the database, then a stable sort by score keeps that order among ties
    matched = list(qs.order_by("-updated_at", "-pk").values_list("pk", flat=True))
    matched.sort(key=lambda pk: scores.get(pk, 0), reverse=True)
    ids = matched[start : start + rows]
    found = Dataset.objects.select_related("publisher", "zone").in_bulk(ids)
    return len(matched), [found[pk] for pk in ids if pk in found]


def _codes(model: Any, ids: Any) -> dict[Any, str]:
    return dict(model.objects.filter(pk__in=list(ids)).values_list("pk", "code"))


def facet_counts(qs: QuerySet[Dataset], name: str, limit: int = 50) -> dict[str, int]:
    """Counts of each value of facet ``name`` among the datasets of ``qs``.

    One-valued facets group the dataset rows on a covering index (visibility + column) by id,
    then name the ids; many-valued ones (theme, format) count distinct datasets per value in
    the link table."""
    counts: dict[Any, int]
    if name == "keyword":
        counts = {}
        for keywords in qs.values_list("keywords", flat=True)[:5000]:
            for word in keywords or []:
                counts[word] = counts.get(word, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])
    ids = qs.order_by().values("pk")
    if name in ("zone", "publisher", "level", "grade"):
        column = {
            "zone": "zone_id",
            "publisher": "publisher_id",
            "level": "access",
            "grade": "security_grade",
        }[name]
        rows = (
            qs.order_by()
            .exclude(**{f"{column}__isnull": True})
            .values_list(column)
            .annotate(n=Count("pk"))
        )
        counts = dict(rows)  # type: ignore[arg-type]
        if name in ("zone", "publisher"):
            names = _codes(Zone if name == "zone" else Organisation, counts)
            counts = {names[k]: n for k, n in counts.items() if k in names}
    elif name == "theme":
        through = Dataset.themes.through
        themes = (
            through.objects.filter(dataset_id__in=ids)
            .values_list("theme_id")
            .annotate(n=Count("dataset_id", distinct=True))
        )
        by_id = dict(themes)  # type: ignore[arg-type]
        names = _codes(Theme, by_id)
        counts = {names[k]: n for k, n in by_id.items() if k in names}
    elif name == "format":
        formats = (
            Resource.objects.filter(dataset_id__in=ids)
            .exclude(format="")
            .values_list("format")
            .annotate(n=Count("dataset_id", distinct=True))
        )
        counts = dict(formats)  # type: ignore[arg-type]
    else:
        return {}
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:limit]
    return {str(k): n for k, n in ordered}


def facet_labels(facets: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, str]]:
    """Display names of the zone, publisher and theme codes present in ``facets``."""
    models_by_facet: dict[str, Any] = {"zone": Zone, "publisher": Organisation, "theme": Theme}
    labels: dict[str, dict[str, str]] = {}
    for name, model in models_by_facet.items():
        codes = list(facets.get(name, {}))
        labels[name] = {obj.code: str(obj) for obj in model.objects.filter(code__in=codes)}
    return labels


# --- table store -----------------------------------------


@dataclass
class TablePage:
    fields: list[TableColumn]
    records: list[dict[str, Any]]
    total: int


class TableQueryError(ValueError):
    pass


def sort_terms(sort: str | Sequence[str]) -> list[tuple[str, bool]]:
    """(field, descending) of each term of ``sort``: ``field``, ``field desc`` (or ``asc``), or
    a name with a space in double quotes: ``"年 份" desc``. A string holds comma-separated
    terms; a list holds one term per item (so a name may hold a comma)."""
    parts = sort.split(",") if isinstance(sort, str) else [str(p) for p in sort]
    terms = []
    for part in [p.strip() for p in parts if p.strip()]:
        name, descending = part, False
        head, _space, last = part.rpartition(" ")
        if head.strip() and last.lower() in ("asc", "desc"):
            name, descending = head.strip(), last.lower() == "desc"
        if len(name) > 1 and name[0] == name[-1] == '"':
            name = name[1:-1]
        terms.append((name, descending))
    return terms


def table_query(
    resource: Resource,
    *,
    filters: dict[str, Any] | None = None,
    fields: Sequence[str] = (),
    sort: str | Sequence[str] = "",
    limit: int = 100,
    offset: int = 0,
) -> TablePage:
    """Rows of a tabular resource. ``filters`` match exact values (a list means any of them);
    ``sort`` is ``"field"`` or ``"field desc"``, comma-separated. Unknown fields raise
    TableQueryError naming the field."""
    from . import tabular

    columns = list(resource.columns.all())
    by_name = {c.name: c for c in columns}
    qs, alias = tablekeys.with_fields(TableRow.objects.filter(resource=resource), filters or {})
    for name, value in (filters or {}).items():
        column = by_name.get(name)
        if column is None:
            raise TableQueryError(_("unknown field “%(name)s” in filters") % {"name": name})
        values = value if isinstance(value, list) else [value]
        try:
            converted = [tabular.convert(v, column.type) for v in values]
        except tabular.ConversionError as exc:
            problem = _(exc.template) % exc.params
            raise TableQueryError(
                _("filter on “%(name)s”: %(problem)s") % {"name": name, "problem": problem}
            ) from exc
        cond = Q()
        for v in converted:
            cond |= tablekeys.field_is(alias[name], v)
        qs = qs.filter(cond)
    total = qs.count()
    order: list[Any] = []
    for name, descending in sort_terms(sort):
        if name == "_id":
            expr: Any = F("number")
        else:
            column = by_name.get(name)
            if column is None:
                raise TableQueryError(_("unknown field “%(name)s” in sort") % {"name": name})
            expr = tablekeys.field_text(name)
            if column.type in ("integer", "number"):
                expr = Cast(expr, FloatField())
        order.append(expr.desc(nulls_last=True) if descending else expr.asc(nulls_last=True))
    order.append(F("number").asc())
    for name in fields:
        if name != "_id" and name not in by_name:
            raise TableQueryError(_("unknown field “%(name)s” in fields") % {"name": name})
    selected = [c for c in columns if not fields or c.name in fields]
    records = []
    for number, data in qs.order_by(*order).values_list("number", "data")[offset : offset + limit]:
        record: dict[str, Any] = {"_id": number}
        for column in selected:
            record[column.name] = data.get(column.name)
        records.append(record)
    return TablePage(fields=selected, records=records, total=total)


# --- applications, grants, stats -----------------------------------------


def applications_of(user: Any) -> QuerySet[Application]:
    return Application.objects.filter(applicant=user).select_related("dataset")


def applications_to_review(user: Any) -> QuerySet[Application]:
    from ceyuan.accounts.permissions import is_coordinator, organisation_ids

    qs = Application.objects.select_related("dataset", "applicant")
    if is_coordinator(user):
        return qs
    return qs.filter(dataset__publisher_id__in=organisation_ids(user, permissions.PUBLISHING_ROLES))


def grants_of(user: Any) -> QuerySet[Grant]:
    return Grant.objects.filter(grantee=user).select_related("dataset")


def usage_stats(dataset: Dataset, days: int = 30) -> dict[str, Any]:
    since = timezone.now() - dt.timedelta(days=days)
    logs = AccessLog.objects.filter(dataset=dataset)
    # keyed by label, in the active language
    by_action = {
        str(AccessLog.Action(code).label): n
        for code, n in logs.values_list("action").annotate(n=Count("pk")).order_by()
    }
    by_channel = {
        str(AccessLog.Channel(code).label): n
        for code, n in logs.values_list("channel").annotate(n=Count("pk")).order_by()
    }
    daily = list(
        logs.filter(at__gte=since)
        .annotate(day=TruncDate("at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    return {
        "total": logs.count(),
        "users": logs.exclude(user=None).values("user").distinct().count(),
        "by_action": by_action,
        "by_channel": by_channel,
        "daily": daily,
        "active_grants": Grant.objects.filter(
            dataset=dataset, revoked_at=None, expires_at__gt=timezone.now()
        ).count(),
        "recent": list(logs.select_related("user")[:20]),
    }
