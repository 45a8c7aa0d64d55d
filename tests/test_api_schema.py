"""The OpenAPI 3 schema and the browsable docs, served without any CDN."""

import re

import pytest
import yaml

pytestmark = pytest.mark.django_db

V1_PATHS = {
    "/api/v1/me",
    "/api/v1/credentials",
    "/api/v1/credentials/{credential_id}",
    "/api/v1/tokens",
    "/api/v1/tokens/{token_id}",
    "/api/v1/usage",
}


def test_schema_is_openapi_3_and_lists_every_v1_endpoint(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= V1_PATHS
    assert "bearerAuth" in schema["components"]["securitySchemes"]


def test_docs_page_loads_its_assets_from_this_server(client):
    page = client.get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources, "the docs page references its assets"
    assert all(not source.startswith(("http://", "https://", "//")) for source in sources)
    for source in sources:
        if source.startswith("/static/"):
            assert client.get(source).status_code == 200, source
