"""Detectors of personal data; importing this package registers all of them."""

from ceyuan.opendata.privacy.detectors import (  # noqa: F401  (registration)
    name_model,
    names,
    structured,
)
from ceyuan.opendata.privacy.detectors.base import DETECTORS, DetectorSpec, detector, scan_text

__all__ = ["DETECTORS", "DetectorSpec", "detector", "scan_text"]
