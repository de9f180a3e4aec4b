"""Home-page cards that apps contribute: each shows one live figure and links to its page.

A card provider takes the request and returns a :class:`Card`, or ``None`` when it has nothing
to show (no plan loaded yet, a user without the role). Providers must be cheap: they run on
every visit to the home page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Card:
    value: str
    label: Any  # lazy or rendered translation
    url: str
    order: int = 50


CardProvider = Callable[[HttpRequest], Card | None]
_PROVIDERS: dict[str, CardProvider] = {}


def register_card(name: str, provider: CardProvider) -> None:
    _PROVIDERS[name] = provider


def cards_for(request: HttpRequest) -> list[Card]:
    cards = [card for provider in _PROVIDERS.values() if (card := provider(request)) is not None]
    return sorted(cards, key=lambda c: c.order)
