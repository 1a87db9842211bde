"""A clinic profile: the organisation that hands out the leaflets, as the handouts print it.

Profiles are loaded and checked by :mod:`immunopipe.validate.profile`; this module holds only
what the exporters need, so that they never import the checks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Logo:
    """A checked logo: its file name, media type and bytes (served as they are, nothing else)."""

    name: str
    media_type: str
    data: bytes


@dataclass(frozen=True, kw_only=True)
class Profile:
    """The clinic printed in the handout's header and contact block."""

    organisation: str
    phone: str
    web: str | None = None
    address: tuple[str, ...] = ()
    opening_hours: str | None = None
    questions: str | None = None
    online_version: str | None = None
    logo: Logo | None = None

    def online_url(self, article_id: str) -> str | None:
        """The online version's web address for ``article_id``, or ``None`` without a template."""
        return self.online_version.replace("{id}", article_id) if self.online_version else None

    def fingerprint(self) -> bytes:
        """Everything of the profile that shapes a handout, as bytes (for the render cache key)."""
        fields = [self.organisation, self.phone, self.web, list(self.address), self.opening_hours]
        fields += [self.questions, self.online_version]
        logo = [self.logo.name, self.logo.media_type, self.logo.data.hex()] if self.logo else None
        return json.dumps([fields, logo], ensure_ascii=False).encode()
