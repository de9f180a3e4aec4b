"""The annual report as a printable PDF, in Chinese or in English.

Rendered with matplotlib's PDF backend (no browser, no network): A4 pages of text laid out
line by line, and small charts of the indicators. A CJK font is required even for the English
report (unit names and plan quotes are Chinese); it is looked for at run time under the
system font folders (Noto Sans CJK first). Without one the report fails with
``AnnualReportError`` saying what to install, rather than printing empty boxes.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext as _

from . import selectors
from .models import Plan, ProgressReport, WorkPlanItem

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
FONT_PATTERNS = (
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "NotoSansCJK*.ttc",
    "NotoSerifCJK-Regular.ttc",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
)
PAGE = (8.27, 11.69)  # A4 in inches
LINE = 0.0165  # line height as a fraction of the page height at 10 pt


class AnnualReportError(RuntimeError):
    """The report cannot be produced (e.g. no CJK font on this machine)."""


def find_cjk_font(dirs: tuple[Path, ...] = FONT_DIRS) -> Path:
    for pattern in FONT_PATTERNS:
        for base in dirs:
            if base.is_dir():
                found = sorted(base.rglob(pattern))
                if found:
                    return found[0]
    raise AnnualReportError(
        "No CJK font found under "
        + ", ".join(str(d) for d in dirs)
        + ": install Noto Sans CJK (Debian: apt-get install fonts-noto-cjk) to print reports."
    )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, limit: int) -> Iterator[str]:
    """Wrap at ``limit`` display columns (a CJK character is two), at spaces where possible."""
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in _tokens(paragraph):
            if line and _width(line + token) > limit:
                yield line.rstrip()
                line = token.lstrip()
            else:
                line += token
        yield line.rstrip()


def _tokens(text: str) -> Iterator[str]:
    word = ""
    for c in text:
        if _width(c) == 2:
            if word:
                yield word
                word = ""
            yield c
        elif c == " ":
            yield word + " "
            word = ""
        else:
            word += c
    if word:
        yield word


class _Writer:
    """Lays out lines of text on A4 figures, starting a new page when one is full."""

    def __init__(self, pdf: object, font: Path) -> None:
        from matplotlib.font_manager import FontProperties

        self.pdf = pdf
        self.font = FontProperties(fname=str(font))
        self.fig: Figure | None = None
        self.y = 0.0
        self.page = 0

    def _new_page(self) -> None:
        from matplotlib.figure import Figure

        self.flush()
        self.fig = Figure(figsize=PAGE)
        self.page += 1
        self.fig.text(0.5, 0.03, str(self.page), ha="center", fontproperties=self.font, fontsize=8)
        self.y = 0.95

    def flush(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)  # type: ignore[attr-defined]
            self.fig = None

    def space(self, lines: float) -> None:
        if self.fig is None or self.y - lines * LINE < 0.06:
            self._new_page()
        else:
            self.y -= lines * LINE

    def text(
        self, text: str, *, size: float = 10, bold: bool = False, colour: str = "#111"
    ) -> None:
        limit = int(92 * 10 / size)
        for line in wrap(text, limit):
            self.space(size / 10 * 1.35)
            assert self.fig is not None
            self.fig.text(
                0.08,
                self.y,
                line,
                fontproperties=self.font,
                fontsize=size,
                color=colour,
                weight="bold" if bold else "normal",
                va="top",
            )

    def chart_grid(self, views: list[selectors.IndicatorView]) -> None:
        """Small multiples: each indicator's figures against its target."""
        from matplotlib.figure import Figure

        views = [v for v in views if v.observations and v.indicator.has_target]
        if not views:
            return
        self.flush()
        for start in range(0, len(views), 6):
            fig = Figure(figsize=PAGE)
            self.page += 1
            fig.text(0.5, 0.03, str(self.page), ha="center", fontproperties=self.font, fontsize=8)
            for n, view in enumerate(views[start : start + 6]):
                ax = fig.add_subplot(3, 2, n + 1)
                xs = [o.period_year for o in view.observations if o.value is not None]
                ys = [o.value for o in view.observations if o.value is not None]
                ax.plot(xs, ys, marker="o", color="#0969da")
                if view.status is not None and view.status.threshold is not None:
                    ax.axhline(view.status.threshold, color="#57606a", linestyle="--", linewidth=1)
                ax.set_title(view.indicator.name[:24], fontproperties=self.font, fontsize=9)
                ax.tick_params(labelsize=7)
                ax.set_xticks(sorted(set(xs)))
            fig.subplots_adjust(hspace=0.5, wspace=0.3)
            self.pdf.savefig(fig)  # type: ignore[attr-defined]


def annual_report_pdf(plan: Plan, *, year: int, lang: str, today: dt.date) -> bytes:
    """The plan's report for ``year`` in ``lang`` ("zh" or "en"), as PDF bytes."""
    font = find_cjk_font()
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_pdf import PdfPages

    as_of = min(today, dt.date(year, 12, 31))
    out = io.BytesIO()
    with translation.override("en" if lang == "en" else "zh-hans"):
        views = selectors.indicator_views(plan, as_of)
        with PdfPages(out, metadata={"Title": f"{plan.code} {year}", "Creator": "Ceyuan"}) as pdf:
            w = _Writer(pdf, font)
            w.text(plan.title, size=16, bold=True)
            w.text(_("Annual report %(year)s") % {"year": year}, size=14)
            w.text(_("Status as of %(date)s") % {"date": as_of.isoformat()}, colour="#57606a")
            w.space(1)
            counts = selectors.status_counts(views)
            w.text(_("Targets by status"), size=12, bold=True)
            w.text(
                "; ".join(
                    f"{selectors.STATUS_LABELS[k]}: {counts[k]}"
                    for k in selectors.STATUS_LABELS
                    if k in counts
                )
                or _("No figures yet.")
            )
            w.space(1)
            w.text(_("Indicators"), size=12, bold=True)
            for view in views:
                ind = view.indicator
                w.space(0.4)
                w.text(f"{ind.name} — {view.status_label}", bold=True)
                if ind.has_target:
                    w.text(f"{_('Target')}: {ind.target_phrase} ({ind.target_year})")
                latest = view.latest
                if latest is not None:
                    w.text(
                        f"{_('Latest')}: {selectors.number(latest.value)} {ind.unit} "
                        f"({latest.period_year})"
                    )
                w.text(view.message, colour="#444")
            w.space(1)
            items = WorkPlanItem.objects.filter(plan=plan, year=year).select_related("owner_unit")
            rows = selectors.item_states(items, as_of)
            w.text(_("Annual work plan %(year)s") % {"year": year}, size=12, bold=True)
            done = sum(1 for _i, s in rows if s.state.value in ("done", "done_late"))
            overdue = [(i, s) for i, s in rows if s.state.value == "overdue"]
            w.text(
                _("%(total)s items, %(done)s done, %(overdue)s overdue.")
                % {"total": len(rows), "done": done, "overdue": len(overdue)}
            )
            for item, state in overdue:
                w.text(
                    f"· {item.owner_unit.name}: {item.milestone_text} "
                    f"({item.deadline.isoformat()}, {state.working_days} {_('working days late')})"
                )
            w.space(1)
            w.text(_("Progress reports"), size=12, bold=True)
            # The annual report is public: it lists accepted reports only, never drafts.
            reports = ProgressReport.objects.filter(
                plan=plan, period__startswith=str(year), status=ProgressReport.Status.ACCEPTED
            )
            for report in reports.select_related("unit"):
                w.text(f"· {report.unit.name} {report.period}: {report.get_status_display()}")
            if not reports.exists():
                w.text(_("None."))
            w.space(1)
            w.text(_("Unit scorecards"), size=12, bold=True)
            for card in selectors.scorecards(plan, as_of).values():
                score = "—" if card.score is None else f"{card.score:.0f}"
                w.text(
                    f"· {card.unit}: {_('score')} {score}; {_('items on time')} "
                    f"{card.items_on_time}/{card.items_total}; {_('items overdue')} "
                    f"{card.items_overdue}"
                )
            w.flush()
            w.chart_grid(views)
    return out.getvalue()
