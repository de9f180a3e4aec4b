"""CKAN's error envelope: ``{"help": …, "success": false, "error": {"__type": …, …}}``.

The statuses are CKAN's: 400 for a bad request (unparseable body, unknown action), 403 for
"Authorization Error", 404 for "Not Found Error", 409 for "Validation Error" and
"Search Query Error". ckanapi maps the ``__type`` back to its exception classes.
"""

from __future__ import annotations

from typing import Any


class CkanError(Exception):
    status = 400
    type = "Bad request"

    def __init__(self, message: str = "", fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"__type": self.type}
        if self.message:
            error["message"] = self.message
        error.update(self.fields)
        return error


class BadRequest(CkanError):
    status = 400
    type = "Bad request"


class NotAuthorized(CkanError):
    status = 403
    type = "Authorization Error"


class NotFound(CkanError):
    status = 404
    type = "Not Found Error"


class ValidationFailed(CkanError):
    status = 409
    type = "Validation Error"


class SearchQueryError(CkanError):
    status = 409
    type = "Search Query Error"


class RateLimited(CkanError):
    status = 429
    type = "Rate Limit Error"
