"""Where tickets come from and who reports them: the closed sets, defined once.

The API models (`TicketIn`), case rows (`SeedCase`), the routing policy's checks and the drafter's
partner greeting all derive from these enums; add a channel or reporter type here and nowhere else.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["PARTNER_REPORTERS", "Channel", "ReporterType"]


class Channel(StrEnum):
    in_app_report = "in_app_report"
    email = "email"
    partner_portal = "partner_portal"
    law_enforcement_portal = "law_enforcement_portal"
    creator_support = "creator_support"
    api = "api"


class ReporterType(StrEnum):
    user = "user"
    creator = "creator"
    trusted_flagger = "trusted_flagger"
    ngo = "ngo"
    government = "government"
    law_enforcement = "law_enforcement"
    advertiser = "advertiser"


#: Reporters greeted as partners (and given partner SLAs by the routing policy's reporter classes).
PARTNER_REPORTERS = frozenset({ReporterType.trusted_flagger, ReporterType.ngo, ReporterType.government,
                               ReporterType.law_enforcement})
