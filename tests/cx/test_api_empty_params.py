"""An empty query value (``?channel=``) is refused, on every operation alike.

An empty choice is no choice: every GET operation without path parameters is called
with each optional parameter that is not free text (a choice, a number, a date, yes or
no) left empty, and must answer 400 naming that parameter, as the schema's types say;
an empty free-text parameter is the same as leaving it out. The list filters did so;
the metrics read ``?channel=`` as no channel until ``make reliability``'s fuzzing
found it.
"""

from __future__ import annotations

import pytest

from cx.services.organizations import api_key_create
from tests.factories import ResponseFactory, SurveyFactory

pytestmark = pytest.mark.django_db

REQUIRED = {"/api/v1/metrics/": {"metric": "nps"}}
PAGING = {"cursor"}  # an empty cursor is the first page


@pytest.fixture
def owner_api(aurora, client):
    from rest_framework.test import APIClient

    api = APIClient()
    key = api_key_create(organization=aurora, scopes=["manage", "owner"]).secret_key
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api


def _free_text(parameter: dict) -> bool:
    schema = parameter.get("schema", {})
    return schema.get("type") == "string" and not (
        schema.get("enum") or schema.get("format") or "$ref" in schema
    )


def _parameters(api):
    schema = api.get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path or not path.startswith("/api/v1/"):
            continue
        for parameter in get.get("parameters", []):
            if parameter["in"] == "query" and not parameter.get("required"):
                yield path, parameter


def test_an_empty_value_is_refused_unless_the_parameter_is_free_text(owner_api, aurora):
    ResponseFactory(survey=SurveyFactory(organization=aurora))
    wrong, refused, free = [], 0, 0
    for path, parameter in _parameters(owner_api):
        name = parameter["name"]
        if name in PAGING:
            continue
        answer = owner_api.get(path, {**REQUIRED.get(path, {}), name: ""})
        if _free_text(parameter):
            free += 1
            if answer.status_code != 200:
                wrong.append((path, name, answer.status_code))
        else:
            refused += 1
            if answer.status_code != 400 or name not in answer.json()["errors"]:
                wrong.append((path, name, answer.status_code))
    assert wrong == []
    assert refused >= 60 and free >= 1  # choices, ids, dates; searches
