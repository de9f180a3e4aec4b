"""The plan held as data: plan, goal areas, indicators, milestones, tasks and measures,
safeguards; who carries them out (assignments, annual work-plan items); how progress is
measured and reported (observations, progress reports with review, risk flags).

Plan texts are bilingual pairs (``*_zh`` official, ``*_en`` our translation); the
``bilingual`` property picks the one for the active language. Rows are written only through
``ceyuan.plan.services``; there are no ``save()`` side effects here.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ceyuan.accounts.models import Organisation
from ceyuan.core.storage import restricted_storage


def bilingual(field: str) -> Any:
    """A read-only property returning ``<field>_en`` in English (when set), else ``_zh``."""

    def getter(self: models.Model) -> str:
        if (get_language() or "").startswith("en"):
            english = getattr(self, f"{field}_en", "")
            if english:
                return str(english)
        return str(getattr(self, f"{field}_zh", ""))

    return property(getter)


class Qualifier(models.TextChoices):
    EXACT = "exact", _("exactly")
    ABOUT = "about", _("about")
    NEAR = "near", _("nearly")
    MORE_THAN = "more_than", _("more than")
    AT_LEAST = "at_least", _("at least")
    LESS_THAN = "less_than", _("less than")
    AT_MOST = "at_most", _("at most")
    RANGE = "range", _("range")
    SIGNIFICANT_INCREASE = "significant_increase", _("significant increase")
    SIGNIFICANT_DECREASE = "significant_decrease", _("significant decrease")


OBSERVATION_QUALIFIERS = [c for c in Qualifier.choices if not c[0].startswith("significant")]


class Plan(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    version = models.PositiveIntegerField(_("version"))
    title_zh = models.TextField(_("title (Chinese)"))
    title_en = models.TextField(_("title (English)"), blank=True)
    issuer_zh = models.CharField(_("issuer (Chinese)"), max_length=200)
    issuer_en = models.CharField(_("issuer (English)"), max_length=200, blank=True)
    region_zh = models.CharField(_("region (Chinese)"), max_length=100, blank=True)
    region_en = models.CharField(_("region (English)"), max_length=100, blank=True)
    period_start = models.PositiveIntegerField(_("first year"))
    period_end = models.PositiveIntegerField(_("last year"))
    preamble_zh = models.TextField(blank=True)
    preamble_en = models.TextField(blank=True)
    principles_zh = models.TextField(blank=True)
    principles_en = models.TextField(blank=True)
    overall_goal_zh = models.TextField(blank=True)
    overall_goal_en = models.TextField(blank=True)
    source_zh = models.TextField(blank=True)
    source_en = models.TextField(blank=True)
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    title = bilingual("title")
    issuer = bilingual("issuer")
    preamble = bilingual("preamble")
    principles = bilingual("principles")
    overall_goal = bilingual("overall_goal")

    class Meta:
        ordering = ["-period_start", "code"]
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")

    def __str__(self) -> str:
        return self.code


class GoalArea(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goal_areas")
    number = models.PositiveIntegerField(_("number"))
    code = models.SlugField(_("code"), max_length=64)
    title_zh = models.TextField()
    title_en = models.TextField(blank=True)
    text_zh = models.TextField(blank=True)
    text_en = models.TextField(blank=True)

    title = bilingual("title")
    text = bilingual("text")

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_goalarea_code"),
        ]
        verbose_name = _("goal area")
        verbose_name_plural = _("goal areas")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Indicator(models.Model):
    class Direction(models.TextChoices):
        INCREASE = "increase", _("higher is better")
        DECREASE = "decrease", _("lower is better")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    # None for monitoring indicators: figures the platform tracks without a target of the plan.
    goal_area = models.ForeignKey(
        GoalArea, on_delete=models.CASCADE, null=True, blank=True, related_name="indicators"
    )
    order = models.PositiveIntegerField(default=0)
    code = models.SlugField(_("code"), max_length=64)
    name_zh = models.TextField()
    name_en = models.TextField(blank=True)
    unit_zh = models.CharField(max_length=50, blank=True)
    unit_en = models.CharField(max_length=50, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=20)
    baseline_value = models.FloatField(_("baseline"), null=True, blank=True)
    baseline_year = models.PositiveIntegerField(_("baseline year"), null=True, blank=True)
    baseline_source_zh = models.TextField(blank=True)
    baseline_source_en = models.TextField(blank=True)
    target_year = models.PositiveIntegerField(_("target year"), null=True, blank=True)
    target_value = models.FloatField(_("target value"), null=True, blank=True)
    target_lower = models.FloatField(null=True, blank=True)
    target_upper = models.FloatField(null=True, blank=True)
    target_qualifier = models.CharField(max_length=24, choices=Qualifier.choices, blank=True)
    target_sustained = models.BooleanField(default=False)
    target_phrase_zh = models.TextField(blank=True)
    target_phrase_en = models.TextField(blank=True)
    quote = models.TextField(blank=True)
    definition_zh = models.TextField(blank=True)
    definition_en = models.TextField(blank=True)
    data_source_zh = models.TextField(blank=True)
    data_source_en = models.TextField(blank=True)

    name = bilingual("name")
    unit = bilingual("unit")
    target_phrase = bilingual("target_phrase")
    definition = bilingual("definition")
    data_source = bilingual("data_source")

    class Meta:
        ordering = ["plan", "goal_area__number", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_indicator_code"),
        ]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    @property
    def has_target(self) -> bool:
        return bool(self.target_qualifier) and self.target_year is not None


class Milestone(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones")
    goal_area = models.ForeignKey(GoalArea, on_delete=models.CASCADE, related_name="milestones")
    order = models.PositiveIntegerField(default=0)
    code = models.SlugField(_("code"), max_length=64)
    text_zh = models.TextField()
    text_en = models.TextField(blank=True)
    due = models.DateField(_("due"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    text = bilingual("text")

    class Meta:
        ordering = ["plan", "due", "goal_area__number", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_milestone_code"),
        ]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.text


class TaskGroup(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="task_groups")
    number = models.PositiveIntegerField()
    code = models.SlugField(max_length=64)
    title_zh = models.TextField()
    title_en = models.TextField(blank=True)

    title = bilingual("title")

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_taskgroup_code"),
        ]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    group = models.ForeignKey(TaskGroup, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveIntegerField(_("number"))
    code = models.SlugField(_("code"), max_length=64)
    title_zh = models.TextField()
    title_en = models.TextField(blank=True)
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="tasks")

    title = bilingual("title")

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_task_code"),
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Safeguard(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="safeguards")
    number = models.PositiveIntegerField()
    code = models.SlugField(max_length=64)
    title_zh = models.TextField()
    title_en = models.TextField(blank=True)

    title = bilingual("title")

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_safeguard_code"),
        ]
        verbose_name = _("safeguard measure")
        verbose_name_plural = _("safeguard measures")

    def __str__(self) -> str:
        return self.title


class Measure(models.Model):
    """One sentence or point of a task or of a safeguard (exactly one of the two is set)."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, null=True, blank=True, related_name="measures"
    )
    safeguard = models.ForeignKey(
        Safeguard, on_delete=models.CASCADE, null=True, blank=True, related_name="measures"
    )
    number = models.PositiveIntegerField()
    text_zh = models.TextField()
    text_en = models.TextField(blank=True)

    text = bilingual("text")

    class Meta:
        ordering = ["task", "safeguard", "number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(task__isnull=False, safeguard__isnull=True)
                | models.Q(task__isnull=True, safeguard__isnull=False),
                name="plan_measure_one_parent",
            ),
        ]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return self.text


class Assignment(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("lead unit")
        COOPERATING = "cooperating", _("cooperating unit")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="plan_assignments"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task__number", "role", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="plan_assignment_unique"),
        ]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"{self.task.number} · {self.unit} ({self.get_role_display()})"


class WorkPlanItem(models.Model):
    """One line of a unit's annual work plan (年度工作计划)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="work_plan_items")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="work_plan_items")
    measure = models.ForeignKey(
        Measure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    year = models.PositiveIntegerField(_("year"))
    code = models.SlugField(_("code"), max_length=64)
    milestone_text = models.TextField(_("milestone"))
    deadline = models.DateField(_("deadline"))
    owner_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("owner unit"),
        on_delete=models.PROTECT,
        related_name="plan_work_items",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["deadline", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_workitem_code"),
        ]
        verbose_name = _("work-plan item")
        verbose_name_plural = _("work-plan items")

    def __str__(self) -> str:
        return f"{self.code}: {self.milestone_text[:60]}"


class Observation(models.Model):
    """One figure for an indicator: entered by a person or computed by a live provider."""

    class SourceKind(models.TextChoices):
        ENTERED = "entered", _("entered")
        COMPUTED = "computed", _("computed")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    period_year = models.PositiveIntegerField(_("year"))
    period_date = models.DateField(_("date"), null=True, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    qualifier = models.CharField(
        _("qualifier"), max_length=24, choices=OBSERVATION_QUALIFIERS, default=Qualifier.EXACT
    )
    lower = models.FloatField(_("lower bound"), null=True, blank=True)
    upper = models.FloatField(_("upper bound"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="plan/evidence/%Y/", blank=True)
    source_kind = models.CharField(
        _("entered or computed"), max_length=10, choices=SourceKind.choices
    )
    computed_from = models.CharField(_("computed from"), max_length=100, blank=True)
    report = models.ForeignKey(
        "ProgressReport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["indicator", "period_year", "period_date", "created_at"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_year}: {self.value}"


class ProgressReport(models.Model):
    """A unit's progress report for a period, reviewed by a coordinator.

    draft → submitted → accepted, or → returned (with a comment) → submitted again.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        ACCEPTED = "accepted", _("accepted")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(
        Organisation, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="plan_reports"
    )
    period = models.CharField(_("period"), max_length=10)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    narrative = models.TextField(_("narrative"), blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit", "period"], name="plan_report_unique"),
        ]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.unit} {self.period}"


class ReportItemStatus(models.Model):
    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="item_statuses"
    )
    item = models.ForeignKey(WorkPlanItem, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=WorkPlanItem.Status.choices)
    completed_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["item__deadline", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["report", "item"], name="plan_report_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.status}"


class ReportValue(models.Model):
    """An indicator figure claimed in a report; it becomes an observation on acceptance."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period_year = models.PositiveIntegerField(_("year"))
    value = models.FloatField(_("value"), null=True, blank=True)
    qualifier = models.CharField(
        max_length=24, choices=OBSERVATION_QUALIFIERS, default=Qualifier.EXACT
    )
    lower = models.FloatField(null=True, blank=True)
    upper = models.FloatField(null=True, blank=True)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["indicator__code", "period_year"]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period_year}: {self.value}"


class ReportAttachment(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    # Restricted storage: served only by ``attachment_download`` after ``access_attachment``.
    file = models.FileField(upload_to="plan/reports/%Y/", storage=restricted_storage)
    name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name


class ReportEvent(models.Model):
    """The review history of a report: submit, return (with comment), accept."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16)
    comment = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"


class RiskFlag(models.Model):
    class Level(models.TextChoices):
        LOW = "low", _("low")
        MEDIUM = "medium", _("medium")
        HIGH = "high", _("high")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="risk_flags")
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, null=True, blank=True, related_name="risk_flags"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, null=True, blank=True, related_name="risk_flags"
    )
    unit = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    description = models.TextField(_("description"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("risk flag")
        verbose_name_plural = _("risk flags")

    def __str__(self) -> str:
        return self.description[:80]
