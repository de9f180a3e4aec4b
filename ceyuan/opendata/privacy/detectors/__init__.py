"""Detectors of personal data; importing this package registers all of them."""

from ceyuan.opendata.privacy.detectors import names, structured  # noqa: F401  (registration)
from ceyuan.opendata.privacy.detectors.base import DETECTORS, DetectorSpec, detector, scan_text

__all__ = ["DETECTORS", "DetectorSpec", "detector", "scan_text"]
