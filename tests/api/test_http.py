import pytest
from django.conf import settings
from django.urls import reverse
from openapi_spec_validator import validate

from aidportal.kernel.caching import set_site_version
from tests.builders import make_assignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def row():
    return make_assignment(name="季 成")


def test_the_schema_is_valid_openapi_3_1(client):
    response = client.get(reverse("api:openapi-json"))

    schema = response.json()
    assert response.status_code == 200
    assert schema["openapi"] == "3.1.0"
    validate(schema)


def test_every_field_and_parameter_is_described_in_chinese(client):
    schema = client.get(reverse("api:openapi-json")).json()

    def chinese(text):
        return any("\u4e00" <= char <= "\u9fff" for char in text or "")

    for name, component in schema["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            assert chinese(spec.get("description")), f"{name}.{field}"
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            assert chinese(operation["summary"]), path
            for parameter in operation.get("parameters", []):
                assert chinese(parameter.get("description")), parameter["name"]


def test_the_index_names_the_lists(client):
    body = client.get("/api/v1/").json()

    assert body["openapi"] == "http://testserver/api/v1/openapi.json"
    assert body["assignments"] == "http://testserver/api/v1/assignments/"
    for name in ("channels", "articles", "projects", "stats"):
        assert body[name] == f"http://testserver/api/v1/{name}/"
        assert client.get(body[name]).status_code == 200
    # The bulk downloads, for whoever wants every row at once.
    assert body["data"] == "http://testserver/data/"


def test_an_answer_is_public_and_revalidated_by_the_site_version(client, row):
    response = client.get(reverse("api:assignments"))

    assert response["Cache-Control"] == f"public, max-age={settings.PAGE_MAX_AGE}"
    etag = response["ETag"]
    again = client.get(reverse("api:assignments"), headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    since = client.get(
        reverse("api:assignments"),
        headers={"if-modified-since": response["Last-Modified"]},
    )
    assert since.status_code == 304


def test_a_change_of_content_changes_the_etag(client, row):
    etag = client.get(reverse("api:assignments"))["ETag"]

    set_site_version()

    response = client.get(reverse("api:assignments"), headers={"if-none-match": etag})
    assert response.status_code == 200 and response["ETag"] != etag


def test_each_query_string_has_its_own_etag(client, row):
    first = client.get(reverse("api:assignments"))["ETag"]

    response = client.get(
        reverse("api:assignments"), {"q": "季成"}, headers={"if-none-match": first}
    )

    assert response.status_code == 200


def test_any_origin_may_read(client, row):
    for response in (
        client.get(reverse("api:assignments")),
        client.get(reverse("api:assignments"), {"nope": "1"}),
        client.options(reverse("api:assignments")),
    ):
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


def test_chinese_is_written_as_utf_8(client, row):
    response = client.get(reverse("api:assignments"))

    assert "季成".encode() in response.content
    assert b"\\u" not in response.content


def test_an_error_is_not_cached_as_public(client):
    response = client.get(reverse("api:assignments"), {"nope": "1"})

    assert response.status_code == 400
    assert "ETag" not in response
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_head_answers_without_a_body(client, row):
    response = client.head(reverse("api:assignments"))

    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"]


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_nothing_writes(client, row, method):
    response = getattr(client, method)(reverse("api:assignments"))

    assert response.status_code == 405
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("name", ["api-root", "openapi-json", "assignments"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "trace"])
def test_an_unsafe_method_is_405_in_json_on_every_address(client, name, method):
    response = getattr(client, method)(reverse(f"api:{name}"))

    assert response.status_code == 405
    assert response.json()["detail"] == "只支持 GET、HEAD 和 OPTIONS 请求：接口只读。"
    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_an_address_the_api_has_no_route_for_is_404_in_json(client):
    for path in ("/api/v1/nope/", "/api/v1/people/1/2/", "/api/v1/people/..%2f/"):
        response = client.get(path)

        assert response.status_code == 404, path
        assert response.json() == {"detail": "没有这一项。", "field": None}


def test_too_many_parameters_is_400_in_json(client):
    query = "&".join(f"f{i}={i}" for i in range(2001))

    response = client.get(reverse("api:assignments"), QUERY_STRING=query)

    assert response.status_code == 400
    assert response.json()["detail"] == "请求无效：参数过多或无法识别。"


def test_an_error_page_outside_the_api_is_still_html(client):
    query = "&".join(f"f{i}={i}" for i in range(2001))

    assert "text/html" in client.get("/nope/")["Content-Type"]
    response = client.get(reverse("personnel:list"), QUERY_STRING=query)
    assert response.status_code == 400
    assert "text/html" in response["Content-Type"]
