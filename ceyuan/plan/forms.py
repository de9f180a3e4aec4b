"""Forms of the plan pages. They shape input only; the rules live in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    OBSERVATION_QUALIFIERS,
    Assignment,
    Indicator,
    Measure,
    RiskFlag,
    Task,
    WorkPlanItem,
)
from .selectors import assignable_units, units_for_reporting


class DateInput(forms.DateInput):
    input_type = "date"


class ObservationForm(forms.Form):
    period_year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    qualifier = forms.ChoiceField(label=_("Qualifier"), choices=OBSERVATION_QUALIFIERS)
    value = forms.FloatField(label=_("Value"), required=False)
    lower = forms.FloatField(label=_("Lower bound (ranges)"), required=False)
    upper = forms.FloatField(label=_("Upper bound (ranges)"), required=False)
    source = forms.CharField(label=_("Source"), max_length=500, required=False)
    evidence = forms.FileField(label=_("Evidence file"), required=False)


class AssignmentForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=assignable_units())
    role = forms.ChoiceField(label=_("Role"), choices=Assignment.Role.choices)


class WorkPlanItemForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=64)
    owner_unit = forms.ModelChoiceField(label=_("Owner unit"), queryset=assignable_units())
    year = forms.IntegerField(label=_("Year"))
    milestone_text = forms.CharField(label=_("Milestone"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)
    measure = forms.ModelChoiceField(
        label=_("Measure"), queryset=Measure.objects.none(), required=False
    )

    def __init__(self, *args: Any, task: Task, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        measure_field: Any = self.fields["measure"]
        measure_field.queryset = task.measures.all()
        unit_field: Any = self.fields["owner_unit"]
        unit_field.queryset = units_for_reporting(user)


class ItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=WorkPlanItem.Status.choices)
    completed_on = forms.DateField(label=_("Completed on"), required=False, widget=DateInput)


class ReportCreateForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=assignable_units())
    period = forms.RegexField(
        label=_("Period"),
        regex=r"^\d{4}(-(Q[1-4]|H[12]))?$",
        help_text=_("2024, 2024-H1 or 2024-Q3"),
        error_messages={"invalid": _("Write the period as 2024, 2024-H1 or 2024-Q3.")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field: Any = self.fields["unit"]
        unit_field.queryset = units_for_reporting(user)


class ReportEditForm(forms.Form):
    narrative = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    attachment = forms.FileField(label=_("Attach evidence"), required=False)
    value_indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.none(), required=False
    )
    value_year = forms.IntegerField(label=_("Year"), required=False)
    value_qualifier = forms.ChoiceField(
        label=_("Qualifier"), choices=OBSERVATION_QUALIFIERS, required=False
    )
    value = forms.FloatField(label=_("Value"), required=False)
    # the bounds of a range (区间) figure
    value_lower = forms.FloatField(label=_("Lower bound"), required=False)
    value_upper = forms.FloatField(label=_("Upper bound"), required=False)
    value_source = forms.CharField(label=_("Source"), max_length=500, required=False)

    def __init__(self, *args: Any, plan: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["value_indicator"]
        field.queryset = Indicator.objects.filter(plan=plan, goal_area__isnull=False)


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ImportForm(forms.Form):
    KINDS = [("observations", _("Observations")), ("items", _("Work-plan items"))]
    kind = forms.ChoiceField(label=_("What the sheet holds"), choices=KINDS)
    file = forms.FileField(label=_("CSV or Excel file"))


class RiskFlagForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=RiskFlag.Level.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}))


class MilestoneCompleteForm(forms.Form):
    completed_on = forms.DateField(
        label=_("Met on"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty to mark the target as not yet met."),
    )
