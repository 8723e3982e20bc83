"""The navigation reads the user's roles once per page (issue 10), and shows the same items as
when each item asked the database itself."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.accounts.roles import ROLE_CODES
from safeguard.core.navigation import _ITEMS, items_for

pytestmark = pytest.mark.django_db


def _asked_one_by_one(user) -> list[str]:
    """Each item's own check, every role question a query (as before roles were read once)."""
    assert getattr(user, "_role_names", None) is None
    return [item.label for item in sorted(_ITEMS.values(), key=lambda i: i.order) if item.visible(user)]


@pytest.mark.parametrize("roles", [(code,) for code in ROLE_CODES] + [(), ("partner_practitioner", "analyst")])
def test_the_navigation_shows_the_same_items_with_its_role_questions_in_one_query(make_user, roles):
    user = make_user("-".join(roles) or "no-role", roles=roles)
    with CaptureQueriesContext(connection) as one_by_one:
        expected = _asked_one_by_one(user)
    with CaptureQueriesContext(connection) as once:
        shown = [item["label"] for item in items_for(user, "/")]
    assert shown == expected
    # The roles in one query (linkage's reviewer check asks has_role too).
    assert len(once) == 1, [q["sql"] for q in once.captured_queries]
    assert len(once) < len(one_by_one) or len(one_by_one) == 1


def test_roles_are_read_afresh_outside_the_navigation(make_user):
    user = make_user("pc", roles=("investigator",))
    assert [i["label"] for i in items_for(user, "/")]
    assert not hasattr(user, "_role_names")  # the names are kept only while the items are chosen
    assert not user.has_role("information_security")
    user.groups.add(Group.objects.get(name="information_security"))
    assert user.has_role("information_security")
    assert "Information security" in [i["label"] for i in items_for(user, "/")]


def test_a_page_asks_for_the_roles_once(client, make_user):
    user = make_user("pc", roles=("investigator", "supervisor"))
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", secure=True)
    assert response.status_code == 200
    assert b"Work queue" in response.content
    role_queries = [q["sql"] for q in queries.captured_queries if '"auth_group"' in q["sql"]]
    # One for the navigation, whose items include linkage's reviewer check.
    assert len(role_queries) == 1, role_queries
