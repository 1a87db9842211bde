"""Helpers shared by export tests."""

from __future__ import annotations

from typing import Any


def without_official_titles(value: Any) -> Any:
    """``value`` without the ``official_title`` the JSON export adds to each code it can verify."""
    if isinstance(value, dict):
        return {key: without_official_titles(item) for key, item in value.items() if key != "official_title"}
    if isinstance(value, list):
        return [without_official_titles(item) for item in value]
    return value
