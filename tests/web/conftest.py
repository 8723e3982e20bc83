import os

import pytest

from safeguard.accounts.models import Organisation, User

# Playwright's sync API runs an event loop in the test's thread, and Django refuses ORM calls
# from a thread with a running loop unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery staple"


@pytest.fixture
def organisation(db):
    return Organisation.objects.create(name="Northshire Police", kind="police")


@pytest.fixture
def user(organisation):
    return User.objects.create_user(
        username="jsmith",
        password=PASSWORD,
        organisation=organisation,
        first_name="Jane",
        last_name="Smith",
    )
