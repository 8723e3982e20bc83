"""Bail clocks under PACE as amended in 2022: authority by period, days left, who must
authorise the next extension, and residence conditions at vague or unverified addresses."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguard.casework import bail as pace
from safeguard.casework import services
from safeguard.casework.models import Bail
from safeguard.core.errors import SafeguardError

DAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(("expires", "authority"), [
    (dt.date(2026, 6, 2), "custody_officer"),  # exactly 3 months
    (dt.date(2026, 6, 3), "inspector"),
    (dt.date(2026, 9, 2), "inspector"),  # 6 months
    (dt.date(2026, 9, 3), "superintendent"),
    (dt.date(2026, 12, 2), "superintendent"),  # 9 months
    (dt.date(2026, 12, 3), "court"),
])
def test_the_authority_each_period_needs(expires, authority):
    assert pace.required_authority(DAY, expires) == authority


@pytest.mark.parametrize(("address", "problem"), [
    ("14 Maple Road, Kettering NN16 0AB", ""),
    ("Flat 2, 10 Mill Street, Corby NN17 1AA", ""),
    ("Rose Cottage, Church Lane, Brigstock NN14 3EX", ""),
    ("Kettering area", "an area or a placeholder"),
    ("NFA", "an area or a placeholder"),
    ("Maple Road, Kettering NN16 0AB", "no house number or name"),
    ("Corby NN17 1AA", "no house number or name"),
    ("14 Maple Road, Kettering", "no full postcode"),
    ("", "No address"),
])
def test_specific_addresses(address, problem):
    found = pace.address_problem(address)
    assert (problem in found) if problem else found == ""


@pytest.fixture
def case(open_case):
    return open_case(risk="high")


def _bail(force, case, **kw):
    values = dict(actor=force["oic"], investigation=case, suspect=force.suspect, kind="pre_charge_bail", starts_on=DAY,
                  expires_on=dt.date(2026, 6, 1), authority="custody_officer", authorised_by="PS 123 Khan",
                  conditions="Not to contact the child; to live and sleep at the address given.",
                  residence_address="14 Maple Road, Kettering NN16 0AB")
    values.update(kw)
    return services.bail_record(**values)


def test_a_period_beyond_the_authoritys_limit_is_refused_with_who_must_authorise_it(force, case):
    with pytest.raises(SafeguardError, match="needs inspector authority"):
        _bail(force, case, expires_on=dt.date(2026, 7, 1))
    first = _bail(force, case)
    # The extension counts from the first period's start, not its own.
    with pytest.raises(SafeguardError, match="needs superintendent authority"):
        _bail(force, case, starts_on=dt.date(2026, 6, 1), expires_on=dt.date(2026, 10, 1), authority="inspector",
              authorised_by="Insp 9 Patel", extends=first)
    extension = _bail(force, case, starts_on=dt.date(2026, 6, 1), expires_on=dt.date(2026, 9, 1), authority="inspector",
                      authorised_by="Insp 9 Patel", extends=first)
    first.refresh_from_db()
    assert first.ended_on == dt.date(2026, 6, 1) and extension.extends == first


def test_the_clock_on_the_case_page(force, case):
    first = _bail(force, case)
    chain = {first.pk: first}
    clock = pace.clock(first, chain, dt.date(2026, 5, 25))
    assert (clock.days_left, clock.expired, clock.warn_expiry) == (7, False, True)
    assert clock.next_authority == "inspector" and clock.next_limit == dt.date(2026, 9, 2)
    assert clock.address_warning.startswith("The residence address has not been verified")
    assert pace.clock(first, chain, dt.date(2026, 6, 3)).days_expired == 2
    services.bail_verify_residence(actor=force["oic"], bail=first)
    first.refresh_from_db()
    assert pace.clock(first, chain, dt.date(2026, 5, 25)).address_warning == ""


def test_a_vague_residence_address_is_flagged_and_cannot_be_verified(force, case):
    vague = _bail(force, case, residence_address="Kettering area")
    assert "area or a placeholder" in pace.clock(vague, {vague.pk: vague}, DAY).address_warning
    with pytest.raises(SafeguardError, match="Record a specific address"):
        services.bail_verify_residence(actor=force["oic"], bail=vague)


def test_bail_is_for_a_suspect_on_the_case_and_rui_has_no_expiry(force, case):
    with pytest.raises(SafeguardError, match="add them as a suspect"):
        _bail(force, case, suspect=force.child)
    with pytest.raises(SafeguardError, match="no expiry date"):
        _bail(force, case, kind="rui")
    rui = _bail(force, case, kind="rui", expires_on=None, authority="", authorised_by="", residence_address="")
    clock = pace.clock(rui, {rui.pk: rui}, DAY)
    assert (clock.days_left, clock.next_authority, clock.address_warning) == (None, "", "")
    assert Bail.objects.filter(investigation=case).count() == 1
