from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ceyuan.accounts.models import Organisation

from .models import DpStatistic, Frequency, OpeningLevel, SecurityGrade, Theme, Zone

SORT_CHOICES = [
    ("", _("Relevance / newest")),
    ("updated", _("Recently updated")),
    ("title", _("Title")),
    ("created", _("Newest")),
]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)


class DatasetForm(forms.Form):
    name = forms.SlugField(
        label=_("Name (URL)"), max_length=100, help_text=_("Lowercase letters, digits, - and _.")
    )
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    description_zh = forms.CharField(
        label=_("Description (Chinese)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    publisher = forms.ModelChoiceField(label=_("Publisher"), queryset=Organisation.objects.none())
    zone = forms.ModelChoiceField(label=_("Data zone"), queryset=Zone.objects.all(), required=False)
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"), queryset=Theme.objects.all(), required=False
    )
    keywords = forms.CharField(
        label=_("Keywords"), required=False, help_text=_("Separated by commas.")
    )
    opening_level = forms.ChoiceField(label=_("Opening level"), choices=OpeningLevel.choices)
    security_grade = forms.ChoiceField(label=_("Security grade"), choices=SecurityGrade.choices)
    spatial = forms.CharField(label=_("Spatial coverage"), required=False, max_length=200)
    temporal_start = forms.DateField(
        label=_("Coverage from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    temporal_end = forms.DateField(
        label=_("Coverage to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    frequency = forms.ChoiceField(
        label=_("Update frequency"), choices=Frequency.choices, initial=Frequency.IRREGULAR
    )
    licence = forms.CharField(label=_("Licence"), initial="CC-BY-4.0", max_length=100)
    contact_name = forms.CharField(label=_("Contact"), required=False, max_length=100)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["publisher"].queryset = organisations  # type: ignore[attr-defined]


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    upload = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("CSV, Excel, JSON or Parquet tables are parsed into a queryable table."),
    )
    url = forms.URLField(label=_("or API endpoint URL"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    schema = forms.JSONField(
        label=_("Schema (optional)"),
        required=False,
        help_text=_(
            "Fields to check each row against, as JSON: "
            '[{"name": "population", "type": "number", "required": true}].'
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ApplicationForm(forms.Form):
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    scope = forms.CharField(
        label=_("Scope of data needed"), widget=forms.Textarea(attrs={"rows": 2})
    )
    period_start = forms.DateField(
        label=_("Use from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_end = forms.DateField(
        label=_("Use until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    security_commitment = forms.CharField(
        label=_("Security commitment"), widget=forms.Textarea(attrs={"rows": 2})
    )
    agreement_accepted = forms.BooleanField(
        label=_("I accept the data-use agreement"), required=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["period_start"].initial = today
        self.fields["period_end"].initial = today + dt.timedelta(days=180)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))]
    )
    reasons = forms.CharField(
        label=_("Reasons"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    rate_limit = forms.IntegerField(
        label=_("Requests per minute"), min_value=1, max_value=600, initial=60
    )


class TrainingCardForm(forms.Form):
    intended_use = forms.CharField(
        label=_("Intended use"), widget=forms.Textarea(attrs={"rows": 2})
    )
    sources = forms.CharField(
        label=_("Sources"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    processing = forms.CharField(
        label=_("Processing"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    licence = forms.CharField(label=_("Licence"), required=False, max_length=100)
    known_limits = forms.CharField(
        label=_("Known limits"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlanItemForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Dataset to open"), max_length=300)
    opening_level = forms.ChoiceField(
        label=_("Opening level"),
        choices=[
            (OpeningLevel.PUBLIC, OpeningLevel.PUBLIC.label),
            (OpeningLevel.RESTRICTED, OpeningLevel.RESTRICTED.label),
        ],
    )
    due = forms.DateField(
        label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    dataset = forms.SlugField(label=_("Catalogue name (if already listed)"), required=False)

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year


class ReleaseUploadForm(forms.Form):
    upload = forms.FileField(
        label=_("Table with personal information"),
        help_text=_(
            "CSV, Excel, JSON or Parquet. It is scanned and de-identified as the release policy "
            "requires for this dataset's opening level and security grade; the original file "
            "stays in restricted storage."
        ),
    )


class ReleaseReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DpStatisticForm(forms.Form):
    release = forms.ChoiceField(label=_("Source table"))
    label = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Statistic"), choices=DpStatistic.Kind.choices)
    column = forms.CharField(
        label=_("Column"),
        max_length=200,
        required=False,
        help_text=_("For a count, leave empty to count every record."),
    )
    lower = forms.FloatField(label=_("Lower bound"), required=False)
    upper = forms.FloatField(
        label=_("Upper bound"),
        required=False,
        help_text=_("Sum and mean: values outside the bounds are clamped to them."),
    )
    categories = forms.CharField(
        label=_("Categories"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Count per category: one per line or separated by commas."),
    )
    epsilon = forms.FloatField(
        label=_("Epsilon (ε)"),
        min_value=0.001,
        initial=0.1,
        help_text=_("Smaller means more noise and less of the budget spent."),
    )

    def __init__(self, *args: Any, releases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["release"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
            (str(r.pk), f"#{r.number} · {r.raw_name}") for r in releases
        ]
