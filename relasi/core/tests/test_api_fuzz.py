"""The API fuzzer as part of the suite (issue #19): schemathesis generates requests from the
OpenAPI document at /api/v1/openapi.json and sends them in-process to the Django app as an
administrator and as a sales rep. No operation may answer 5xx, every answer must be JSON with
`charset=utf-8`, and answers must conform to the documented schema.

Bounded and reproducible: RELASI_FUZZ_EXAMPLES examples per operation and role (default 8),
derandomised unless RELASI_FUZZ_SEED is set (then that seed explores new inputs)."""

import os
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from relasi.accounts.models import ApiToken
from relasi.api import api

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("RELASI_FUZZ_EXAMPLES", "8"))
SEED = os.environ.get("RELASI_FUZZ_SEED")

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()

# Only the body of documented answers is checked against its schema: whether a generated id
# exists, or a role may see it, decides between 2xx, 403, 404 and 422, which the document
# cannot say in advance.
CHECKS = [response_schema_conformance]


@pytest.fixture
def fuzz_world(personas):
    """A few records of each kind with small ids, so generated ids sometimes hit a real one."""
    from relasi.commerce.tests import factories as commerce
    from relasi.customers.tests.factories import organization, person
    from relasi.sales.tests import factories as sales

    customer = person(personas.rep)
    organization(personas.rep)
    shop = commerce.store()
    item = commerce.product()
    commerce.order(
        None, lines=[(item, 1, Decimal("10000"))], customer_id=customer.pk, store_id=shop.pk
    )
    sales.lead(personas.rep)
    sales.deal(personas.rep, sales.pipeline(), customer=customer)
    tokens = {}
    for role in ("admin", "rep"):
        token, raw = ApiToken.generate(
            user=getattr(personas, role), name="fuzz", scopes={"*": "write"}
        )
        token.save()
        tokens[role] = raw
    return tokens


def _settings(test):
    return settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=SEED is None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )(test)


@schema.parametrize()
@_settings
def test_api_never_fails_on_generated_input(case, fuzz_world):
    for role in ("admin", "rep"):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {fuzz_world[role]}"}
        # Each call in its own savepoint, as each request has its own transaction in
        # production: on PostgreSQL one refused statement (a 422 from the DataError safety net)
        # would otherwise leave the test's transaction aborted and fail every later call.
        # The WSGI app is called directly (not through Django's test Client), so keep its
        # request signals from closing the test's connection, as the Client does.
        savepoint = transaction.savepoint()
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = case.call()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
            transaction.savepoint_rollback(savepoint)
        where = (role, case.as_curl_command())
        # 503 is an answer, not a fault, where documented: the mart is not built yet.
        unavailable = response.status_code == 503 and "mart" in response.text
        assert response.status_code < 500 or unavailable, (*where, response.text[:500])
        content_type = response.headers.get("Content-Type", "")
        if content_type.startswith("application/json"):
            assert content_type == "application/json; charset=utf-8", where
        case.validate_response(response, checks=CHECKS)
