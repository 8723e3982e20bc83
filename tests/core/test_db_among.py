"""`core.db.among`: the rows whose field is one of many values, as `= ANY(array)` on PostgreSQL
and `IN (...)` chunks on SQLite, must be exactly the rows `__in` selects."""

import pytest
from django.db import connection

from safeguard.accounts.models import Organisation, Team
from safeguard.core.db import among, id_chunk

pytestmark = pytest.mark.django_db


def _rows(queryset, field_name, values, *fields):
    return sorted(row for part in among(queryset, field_name, values) for row in part.values_list(*fields))


@pytest.fixture
def teams():
    orgs = Organisation.objects.bulk_create(Organisation(name=f"Org {i}", kind="police") for i in range(3))
    return Team.objects.bulk_create(Team(organisation=orgs[i % 3], name=f"Team {i}") for i in range(30))


def test_the_same_rows_as_in_by_primary_key_foreign_key_and_text(teams):
    ids = [t.pk for t in teams[::3]] + [10**12]  # and one that matches nothing
    assert _rows(Team.objects.all(), "pk", ids, "pk") == sorted(Team.objects.filter(pk__in=ids).values_list("pk"))
    org = teams[0].organisation_id
    assert _rows(Team.objects.all(), "organisation_id", [org], "pk", "name") == sorted(
        Team.objects.filter(organisation_id=org).values_list("pk", "name"))
    assert len(_rows(Team.objects.all(), "organisation", [org], "pk")) == 10
    assert _rows(Team.objects.all(), "name", {"Team 1", "Team 2", "Nobody"}, "name") == [("Team 1",), ("Team 2",)]
    assert _rows(Team.objects.all(), "organisation__name", ["Org 2"], "pk") == sorted(
        Team.objects.filter(organisation__name="Org 2").values_list("pk"))


def test_across_a_join_and_with_other_filters(teams):
    orgs = list(Organisation.objects.filter(name__in=["Org 0", "Org 1"]).values_list("pk", flat=True))
    chosen = Team.objects.filter(name__endswith="1")
    assert _rows(chosen, "organisation_id", orgs, "name") == sorted(
        chosen.filter(organisation_id__in=orgs).values_list("name"))


def test_no_values_no_query(teams, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert _rows(Team.objects.all(), "pk", [], "pk") == []


def test_more_values_than_one_in_query_takes(teams, django_assert_num_queries):
    values = list(range(-id_chunk() * 2, 0)) + [t.pk for t in teams]
    queries = 1 if connection.vendor == "postgresql" else 3
    with django_assert_num_queries(queries):
        assert _rows(Team.objects.all(), "pk", values, "pk") == sorted((t.pk,) for t in teams)


def test_delete_through_among(teams):
    doomed = [t.pk for t in teams[:5]]
    for part in among(Team.objects.all(), "pk", doomed):
        part.delete()
    assert not Team.objects.filter(pk__in=doomed).exists()
    assert Team.objects.count() == 25


def test_bulk_update_sets_the_columns_of_each_row_and_nothing_else(teams):
    from safeguard.core.db import bulk_update

    chosen = teams[:4]
    bulk_update(Team, ("name", "area"), [(t.pk, f"Renamed {t.pk}", "" if i % 2 else "North") for i, t in enumerate(chosen)])
    got = {pk: (name, area) for pk, name, area in Team.objects.values_list("pk", "name", "area")}
    for i, t in enumerate(chosen):
        assert got[t.pk] == (f"Renamed {t.pk}", "" if i % 2 else "North")
    for t in teams[4:]:
        assert got[t.pk] == (t.name, t.area)
    bulk_update(Team, ("name",), [])  # nothing to do
    assert Team.objects.count() == 30
