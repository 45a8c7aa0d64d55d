import pytest
from django.test import Client

from tests.conftest import PASSWORD


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def browser_of():
    def signed_in(user):
        client = Client()
        assert client.login(email=user.email, password=PASSWORD)
        return client

    return signed_in
