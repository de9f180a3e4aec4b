"""How the privacy engine's kinds of personal data read on pages and in messages (the engine
itself speaks in codes such as ``cn_mobile``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PERSONAL_DATA_KINDS = {
    "cn_resident_id": _("resident ID number"),
    "cn_mobile": _("mobile phone number"),
    "cn_landline": _("landline number"),
    "bank_card": _("bank card number"),
    "email": _("email address"),
    "cn_license_plate": _("vehicle licence plate"),
    "cn_uscc": _("unified social credit code"),
    "cn_passport": _("passport number"),
    "cn_travel_permit": _("travel permit number"),
    "ip_address": _("IP address"),
    "geo_coordinates": _("geographic coordinates"),
    "person": _("person name"),
    "address": _("street address"),
}


def personal_data_kind(code: str) -> str:
    """The label of a kind of personal data, in the active language (the code if unknown)."""
    label = PERSONAL_DATA_KINDS.get(code)
    return str(label) if label is not None else code
