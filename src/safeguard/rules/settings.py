"""The numbers the spec marks *(setting)*, with its defaults. A partnership may override any of
them (rules/models.py: Partnership.settings)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class RuleSettings:
    risk_marker_months: int = 24
    reoffend_reassess_working_days: int = 5
    bail_expiry_warning_days: int = 14
    rso_annual_warning_days: int = 14
    rso_visit_warning_days: int = 14
    rso_visit_months: dict = field(default_factory=lambda: {"very_high": 1, "high": 3, "medium": 6, "low": 12})
    missing_repeat_days: int = 30
    cp_visit_working_days: int = 10
    online_triage_working_days: int = 2
    online_action_hours: dict = field(default_factory=lambda: {"very_high": 24, "high": 7 * 24, "medium": 14 * 24,
                                                               "low": 30 * 24})
    supervision_days: dict = field(default_factory=lambda: {"high": 7, "medium": 14, "standard": 28})
    investigation_stale_days: int = 28
    escalation_minutes: int = 30

    @classmethod
    def with_overrides(cls, overrides: dict | None) -> RuleSettings:
        names = {f.name for f in fields(cls)}
        unknown = set(overrides or {}) - names
        if unknown:
            raise ValueError(f"unknown rule setting(s): {', '.join(sorted(unknown))}")
        return cls(**(overrides or {}))
