"""Public data opening: catalogue, access decisions, table store, logs.

Invariants kept by ``services`` (the only write path):

- ``Dataset.access`` always equals ``levels.effective_access(opening_level, security_grade)``;
  it is stored so that catalogue queries can filter on it.
- ``SearchToken`` rows are the jieba-segmented text of a dataset and are rewritten whenever
  its searchable text changes.
- A ``Grant`` is valid while ``valid_from <= now < expires_at`` and ``revoked_at`` is null;
  every data read checks that at the moment of the read.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ceyuan.accounts.models import Organisation
from ceyuan.core.storage import restricted_storage

from . import levels


class OpeningLevel(models.TextChoices):
    PUBLIC = levels.PUBLIC, _("Unconditional")
    RESTRICTED = levels.RESTRICTED, _("Conditional")
    NON_PUBLIC = levels.NON_PUBLIC, _("Not open")


class SecurityGrade(models.TextChoices):
    GENERAL = levels.GENERAL, _("General")
    IMPORTANT = levels.IMPORTANT, _("Important")
    CORE = levels.CORE, _("Core")


class Frequency(models.TextChoices):
    # EU frequency vocabulary codes
    CONTINUOUS = "CONT", _("Continuous")
    DAILY = "DAILY", _("Daily")
    WEEKLY = "WEEKLY", _("Weekly")
    MONTHLY = "MONTHLY", _("Monthly")
    QUARTERLY = "QUARTERLY", _("Quarterly")
    ANNUAL = "ANNUAL", _("Annual")
    IRREGULAR = "IRREG", _("Irregular")
    NEVER = "NEVER", _("Not updated")


class Bilingual(models.Model):
    """Chinese is the official text; English is shown when the page is in English."""

    class Meta:
        abstract = True

    @property
    def title(self) -> str:
        title_zh: str = self.title_zh  # type: ignore[attr-defined]
        title_en: str = self.title_en  # type: ignore[attr-defined]
        return title_en if get_language() == "en" and title_en else title_zh


class Zone(Bilingual):
    """A public data zone (公共数据专区): finance, transport, spatial, …"""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("data zone")
        verbose_name_plural = _("data zones")

    def __str__(self) -> str:
        return self.title


class Theme(Bilingual):
    """A theme (a CKAN group; dcat:theme)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.title


class Dataset(Bilingual):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # CKAN's rule for package names, so that every name works in its API and in addresses
    name = models.SlugField(
        _("name"),
        max_length=100,
        unique=True,
        allow_unicode=False,
        validators=[
            RegexValidator(
                r"^(?=.*[a-z])[a-z0-9][a-z0-9_-]{1,99}$",  # a letter: never taken for an id
                _(
                    "Use 2 to 100 lowercase letters (a–z), digits, “-” or “_”, starting with a "
                    "letter or digit and holding a letter."
                ),
            )
        ],
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    publisher = models.ForeignKey(
        Organisation,
        verbose_name=_("publisher"),
        on_delete=models.PROTECT,
        related_name="datasets",
    )
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("data zone"),
        on_delete=models.PROTECT,
        related_name="datasets",
        null=True,
        blank=True,
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), related_name="datasets", blank=True
    )
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    spatial = models.CharField(_("spatial coverage"), max_length=200, blank=True)
    temporal_start = models.DateField(_("temporal coverage from"), null=True, blank=True)
    temporal_end = models.DateField(_("temporal coverage to"), null=True, blank=True)
    frequency = models.CharField(
        _("update frequency"), max_length=16, choices=Frequency.choices, default=Frequency.IRREGULAR
    )
    licence = models.CharField(_("licence"), max_length=100, default="CC-BY-4.0")
    contact_name = models.CharField(_("contact"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    opening_level = models.CharField(
        _("opening level"), max_length=16, choices=OpeningLevel.choices
    )
    security_grade = models.CharField(
        _("security grade"),
        max_length=16,
        choices=SecurityGrade.choices,
        default=SecurityGrade.GENERAL,
    )
    access = models.CharField(
        _("effective access"), max_length=16, choices=OpeningLevel.choices, editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PUBLISHED
    )
    version = models.CharField(_("version"), max_length=32, default="1.0")
    derived_from = models.ManyToManyField(
        "self",
        verbose_name=_("derived from"),
        symmetrical=False,
        related_name="derived_products",
        blank=True,
    )
    is_training = models.BooleanField(_("AI training dataset"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        # Covering indexes: a facet count groups on (column, status, access) without reading
        # rows; ordered pages walk (status, sort key).
        indexes = [
            models.Index(fields=["status", "access"], name="od_dataset_vis"),
            models.Index(fields=["zone", "status", "access"], name="od_dataset_zone_vis"),
            models.Index(fields=["publisher", "status", "access"], name="od_dataset_pub_vis"),
            models.Index(fields=["status", "updated_at"], name="od_dataset_vis_updated"),
            models.Index(fields=["status", "title_zh"], name="od_dataset_vis_title"),
            models.Index(fields=["status", "created_at"], name="od_dataset_vis_created"),
            models.Index(fields=["updated_at"]),
        ]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self) -> str:
        return self.title

    @property
    def description(self) -> str:
        if get_language() == "en" and self.description_en:
            return self.description_en
        return self.description_zh


class DatasetVersion(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=32)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "version"], name="dataset_version_unique")
        ]
        verbose_name = _("dataset version")
        verbose_name_plural = _("dataset versions")

    def __str__(self) -> str:
        return f"{self.dataset.name} {self.version}"


class Resource(models.Model):
    class Kind(models.TextChoices):
        FILE = "file", _("Uploaded file")
        API = "api", _("API endpoint")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    version = models.ForeignKey(
        DatasetVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="resources"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=20, blank=True)
    # Restricted storage: files are only ever served by the download view, after its access check.
    file = models.FileField(
        _("file"), upload_to="opendata/%Y/%m/", blank=True, storage=restricted_storage
    )
    url = models.URLField(_("API endpoint"), max_length=500, blank=True)
    size = models.BigIntegerField(_("size"), default=0)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    row_count = models.IntegerField(_("rows"), default=0)
    datastore_active = models.BooleanField(_("queryable table"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["dataset", "created_at"]
        indexes = [models.Index(fields=["format", "dataset"], name="od_resource_format")]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self) -> str:
        return self.name


class TableColumn(models.Model):
    """The data dictionary of a tabular resource."""

    class Type(models.TextChoices):
        INTEGER = "integer", _("Integer")
        NUMBER = "number", _("Number")
        BOOLEAN = "boolean", _("Boolean")
        DATE = "date", _("Date")
        STRING = "string", _("Text")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="columns")
    position = models.PositiveIntegerField()
    name = models.CharField(_("field"), max_length=200)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    description = models.CharField(_("description"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    # Set through CKAN's datastore_create: rows are matched on these fields by datastore_upsert.
    primary_key = models.BooleanField(_("primary key"), default=False)

    class Meta:
        ordering = ["resource", "position"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "name"], name="table_column_unique")
        ]
        verbose_name = _("data dictionary field")
        verbose_name_plural = _("data dictionary")

    def __str__(self) -> str:
        return self.name


class TableRow(models.Model):
    """One row of a tabular resource, as a JSON object keyed by field name."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()
    data = models.JSONField()

    class Meta:
        ordering = ["resource", "number"]
        indexes = [models.Index(fields=["resource", "number"])]

    def __str__(self) -> str:
        return f"{self.resource_id}#{self.number}"


class SearchToken(models.Model):
    """Inverted index: one row per (dataset, jieba token). Works the same on SQLite and
    PostgreSQL; ``weight`` is higher for tokens of the title."""

    # no separate index on dataset: the (dataset, token) unique constraint serves those lookups
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+", db_index=False)
    token = models.CharField(max_length=64)
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["token", "dataset"])]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "token"], name="search_token_unique")
        ]

    def __str__(self) -> str:
        return self.token


class TrainingCard(models.Model):
    """The dataset card of an AI training dataset."""

    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, related_name="training_card")
    intended_use = models.TextField(_("intended use"))
    sources = models.TextField(_("sources"), blank=True)
    processing = models.TextField(_("processing"), blank=True)
    licence = models.CharField(_("licence"), max_length=100, blank=True)
    known_limits = models.TextField(_("known limits"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("training dataset card")
        verbose_name_plural = _("training dataset cards")

    def __str__(self) -> str:
        return f"card: {self.dataset.name}"


class OpeningPlan(models.Model):
    """A department's yearly commitment of datasets to open."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="opening_plans"
    )
    year = models.PositiveIntegerField(_("year"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "organisation"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="opening_plan_unique")
        ]
        verbose_name = _("opening plan")
        verbose_name_plural = _("opening plans")

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"


class OpeningPlanItem(models.Model):
    plan = models.ForeignKey(OpeningPlan, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("title"), max_length=300)
    opening_level = models.CharField(
        _("opening level"), max_length=16, choices=OpeningLevel.choices
    )
    due = models.DateField(_("due"))
    dataset = models.ForeignKey(
        Dataset, on_delete=models.SET_NULL, null=True, blank=True, related_name="plan_items"
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("opening plan item")
        verbose_name_plural = _("opening plan items")

    def __str__(self) -> str:
        return self.title


class Application(models.Model):
    """A request to use a conditional dataset."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_applications"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    purpose = models.TextField(_("purpose"))
    scope = models.TextField(_("scope"))
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    security_commitment = models.TextField(_("security commitment"))
    agreement_accepted = models.BooleanField(_("data-use agreement accepted"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("data application")
        verbose_name_plural = _("data applications")

    def __str__(self) -> str:
        return f"#{self.pk} {self.dataset.name}"


class Grant(models.Model):
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="grant")
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="grants")
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_grants"
    )
    valid_from = models.DateTimeField(_("valid from"))
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(_("reason for revocation"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["grantee", "dataset"])]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")

    def __str__(self) -> str:
        return f"grant #{self.pk} {self.dataset.name} → {self.grantee}"

    @property
    def last_day(self) -> dt.date:
        """The last day the grant is valid on: it expires at the start of the next day, so
        showing ``expires_at``'s date would name a day too late."""
        return timezone.localtime(self.expires_at - dt.timedelta(microseconds=1)).date()

    def is_valid(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and self.valid_from <= moment < self.expires_at  # type: ignore[operator]


class ZoneOperator(models.Model):
    """Authorised operation: an organisation runs a zone for a period."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="operators")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="zone_operations"
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["zone", "organisation"]
        verbose_name = _("zone operator")
        verbose_name_plural = _("zone operators")

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.zone}"


class ApiKey(models.Model):
    """A data API key of a user, optionally bound to one approved application, with a rate
    limit. Only a digest is stored; the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_api_keys"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="api_keys"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    rate_limit = models.PositiveIntegerField(_("requests per minute"), default=60)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("data API key")
        verbose_name_plural = _("data API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ApiKeyWindow(models.Model):
    """Requests made with a key in one minute (fixed-window rate limit)."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    minute = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "minute"], name="api_key_window_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key_id}@{self.minute}: {self.count}"


class AccessLog(models.Model):
    """Every download and every API read of data."""

    class Action(models.TextChoices):
        DOWNLOAD = "download", _("Download")
        API_READ = "api_read", _("API read")
        DATASTORE = "datastore", _("Table query")
        PREVIEW = "preview", _("Preview")
        EXPORT = "export", _("Training export")

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("REST API")
        CKAN = "ckan", _("CKAN API")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="access_logs")
    resource = models.ForeignKey(
        Resource, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    grant = models.ForeignKey(
        Grant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["dataset", "at"])]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.dataset_id}"


class Release(models.Model):
    """One privacy-processed release of a table (safe publication flow).

    upload → scan → the transforms the policy requires for the dataset's opening level and
    security grade → steward approval → publication as a public resource. The raw file and the
    processed file stay in restricted storage; only approval copies the processed file out.
    """

    class Status(models.TextChoices):
        PROCESSED = "processed", _("Awaiting approval")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="releases")
    number = models.PositiveIntegerField(_("release"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROCESSED
    )
    raw_file = models.FileField(upload_to="raw/%Y/%m/", storage=restricted_storage)
    raw_name = models.CharField(_("uploaded file"), max_length=200)
    raw_encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    processed_file = models.FileField(upload_to="processed/%Y/%m/", storage=restricted_storage)
    row_count = models.IntegerField(_("rows"), default=0)
    opening_level = models.CharField(_("opening level"), max_length=12)
    security_grade = models.CharField(_("security grade"), max_length=12)
    policy = models.CharField(_("policy"), max_length=100)
    # Per-release secret for keyed hashes and pseudonyms: consistent within this release,
    # unlinkable to any other release.
    key = models.BinaryField(editable=False)
    report = models.JSONField(_("privacy report"))
    resource = models.OneToOneField(
        Resource, null=True, blank=True, on_delete=models.SET_NULL, related_name="release"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        ordering = ["dataset", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="od_release_number")
        ]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        return f"{self.dataset.name} #{self.number}"


class DpStatistic(models.Model):
    """A differentially private statistic computed from the raw table of a release.

    The privacy budget of a dataset is the ``dp_epsilon`` that the release policy sets for its
    opening level and security grade; the epsilons of all its statistics (published or not —
    once computed, the noise has been drawn) add up and may never exceed it. A statistic is
    public only after a reviewer publishes it.
    """

    class Kind(models.TextChoices):
        COUNT = "count", _("Count of records")
        SUM = "sum", _("Sum")
        MEAN = "mean", _("Mean")
        HISTOGRAM = "histogram", _("Count per category")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting publication")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Withheld")

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="dp_statistics")
    release = models.ForeignKey(
        Release, on_delete=models.PROTECT, related_name="dp_statistics", verbose_name=_("source")
    )
    label = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("statistic"), max_length=12, choices=Kind.choices)
    column = models.CharField(_("column"), max_length=200, blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    lower = models.FloatField(_("lower bound"), null=True, blank=True)
    upper = models.FloatField(_("upper bound"), null=True, blank=True)
    epsilon = models.FloatField(_("epsilon"))
    scale = models.FloatField(_("noise scale"))
    value = models.JSONField(_("value"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["dataset", "-created_at", "-pk"]
        verbose_name = _("differentially private statistic")
        verbose_name_plural = _("differentially private statistics")

    def __str__(self) -> str:
        return f"{self.dataset.name}: {self.label}"
