"""Schemathesis fuzzes every operation of the API's own OpenAPI document, through the WSGI app
and the test database: with a valid token (no server error, every answer as documented) and
without one (401 everywhere)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from safeguard.wsgi import application

pytestmark = pytest.mark.django_db
# Few examples per operation keep the suite quick; CI can go deeper with the schemathesis CLI.
FUZZ = settings(max_examples=8, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def _connection_kept_open():
    """The WSGI app closes the database connection after each request; inside a test that would
    end the test's transaction. Django's own test client stands the same signal aside."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _operations() -> list:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 3, "the OpenAPI document lost its operations"
    return operations


def _fuzz(check: Callable) -> list[str]:
    """Run `check(case)` on generated cases of every operation; the labels of those run."""
    labels = []
    for operation in _operations():
        FUZZ(given(case=operation.as_strategy())(check))()
        labels.append(operation.label)
    return labels


def test_with_a_token_no_operation_errors_or_strays_from_its_schema(partner, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000

    def conforms(case) -> None:
        case.call_and_validate(headers={"Authorization": f"Bearer {partner.raw}"})

    labels = _fuzz(conforms)
    assert "GET /api/v1/persons/{person_id}" in labels and "POST /api/v1/feed" in labels


def test_without_a_token_every_operation_is_refused(partner):
    def refused(case) -> None:
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        response = case.call()
        assert response.status_code == 401, f"{case.method} {case.formatted_path}: {response.status_code}"

    assert _fuzz(refused)
