import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_endpoint_answers_an_openapi_3_document(api):
    response = api.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/accounts/signup/", "/api/v1/accounts/tokens/", "/api/v1/accounts/me/"):
        assert path in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert yaml.safe_load(target.read_text())["info"]["title"] == "Thread Navigator API"


def test_docs_are_served_without_a_cdn(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html


def test_unknown_api_path_is_json_404_never_html(api, alice):
    api.force_authenticate(alice)

    assert api.delete("/api/v1/accounts/tokens/999999/").json()["code"] == "not_found"


@pytest.mark.django_db
def test_unknown_api_addresses_answer_json_and_options_is_not_allowed(as_alice):
    missing = as_alice.get("/api/v1/no-such-thing/")
    options = as_alice.options("/api/v1/jobs/")

    assert missing.status_code == 404
    assert missing.json() == {"message": "No such address in the API.", "code": "not_found"}
    assert options.status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["page_size=null", "page_size=0", "page_size=101", "page=-1", "page=x"])
def test_bad_page_parameters_are_refused_by_name(as_alice, query):
    response = as_alice.get(f"/api/v1/threads/?{query}")

    assert response.status_code == 400
    assert response.json()["message"].startswith(query.split("=")[0] + ":")


@pytest.mark.django_db
def test_json_is_the_only_body_format_outside_uploads(as_alice):
    response = as_alice.post("/api/v1/presets/", {"name": "x", "style": "{}"}, format="multipart")

    assert response.status_code == 415


@pytest.mark.django_db
def test_a_nul_character_in_a_query_parameter_is_a_400_naming_it(api, alice):
    api.force_authenticate(alice)
    response = api.get("/api/v1/threads/", {"search": "cat\x00s"})
    assert response.status_code == 400
    assert response.json()["message"] == "search: must not contain NUL (\\0) characters."
    assert response.json()["errors"] == {"search": ["must not contain NUL (\\0) characters."]}


@pytest.mark.django_db
def test_a_nul_character_in_a_page_address_is_a_400(client, alice):
    client.force_login(alice)
    response = client.get("/dashboard/", {"q": "\x00"})
    assert response.status_code == 400
    assert "q: must not contain NUL" in response.content.decode()
