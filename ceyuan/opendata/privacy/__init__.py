"""Privacy engine: Chinese PII detection, de-identification, k-anonymity, differential privacy.

Pure Python (no Django). Entry points for the publication flow are re-exported here; see
docs/privacy-engine.md.
"""

from ceyuan.opendata.privacy.detectors import DETECTORS, detector, scan_text
from ceyuan.opendata.privacy.findings import Finding
from ceyuan.opendata.privacy.policy import Policy, ReleaseBlocked, default_policy, load_policy
from ceyuan.opendata.privacy.release import ReleaseContext, apply_policy, redact_document
from ceyuan.opendata.privacy.report import PrivacyReport
from ceyuan.opendata.privacy.tables import k_anonymize, reidentification_risk, scan_table
from ceyuan.opendata.privacy.transforms import (
    TRANSFORMS,
    TransformContext,
    TransformSpec,
    redact_text,
)

__all__ = [
    "DETECTORS",
    "TRANSFORMS",
    "Finding",
    "Policy",
    "PrivacyReport",
    "ReleaseBlocked",
    "ReleaseContext",
    "TransformContext",
    "TransformSpec",
    "apply_policy",
    "default_policy",
    "detector",
    "k_anonymize",
    "load_policy",
    "redact_document",
    "redact_text",
    "reidentification_risk",
    "scan_table",
    "scan_text",
]
