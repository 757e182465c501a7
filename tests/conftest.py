import pytest

from tests.factories import make_concern, make_user


@pytest.fixture
def concern(db):
    return make_concern()


@pytest.fixture
def fan(db):
    return make_user("nam_onjo")


@pytest.fixture
def fan_client(client, fan):
    client.force_login(fan)
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing is deliberately slow; it proves nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
