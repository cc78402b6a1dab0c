"""The REST API: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.conf import settings
from ninja.throttling import AnonRateThrottle

from relasi.core.api import AUTH, RelasiAPI, UserRateThrottle, install_error_handlers


def _docs_decorator(func):  # type: ignore[no-untyped-def]
    from django.contrib.auth.decorators import login_required

    return func if settings.API_DOCS_PUBLIC else login_required(func)


api = RelasiAPI(
    title="Relasi API",
    version="1",
    description="REST API of Relasi. Authenticate with `Authorization: Bearer <personal access token>`.",
    auth=AUTH,
    urls_namespace="api",
    throttle=[AnonRateThrottle(settings.API_RATE_ANON), UserRateThrottle(settings.API_RATE_AUTH)],
    docs_decorator=_docs_decorator,
)
install_error_handlers(api)

from relasi.accounts.api import router as accounts_router  # noqa: E402
from relasi.activities.api import router as activities_router  # noqa: E402
from relasi.analytics.api import router as analytics_router  # noqa: E402
from relasi.commerce.api import router as commerce_router  # noqa: E402
from relasi.conversations.api import router as conversations_router  # noqa: E402
from relasi.customers.api import router as customers_router  # noqa: E402
from relasi.customers.dq_api import DuplicatesFound, duplicates_found_response  # noqa: E402
from relasi.customers.dq_api import router as duplicates_router  # noqa: E402
from relasi.integrations.api import router as integrations_router  # noqa: E402
from relasi.loyalty.api import router as loyalty_router  # noqa: E402
from relasi.marketing.api import router as marketing_router  # noqa: E402
from relasi.privacy.api import router as privacy_router  # noqa: E402
from relasi.privacy.api_breach import breaches_router, processing_router  # noqa: E402
from relasi.privacy.api_dsr import router as requests_router  # noqa: E402
from relasi.privacy.api_retention import router as retention_router  # noqa: E402
from relasi.sales.api import router as sales_router  # noqa: E402
from relasi.service.api import router as service_router  # noqa: E402
from relasi.webhooks.api import events_router  # noqa: E402
from relasi.webhooks.api import router as webhooks_router  # noqa: E402

api.add_router("/accounts", accounts_router)
api.add_router("/customers", customers_router)
api.add_router("/duplicates", duplicates_router)
api.add_exception_handler(DuplicatesFound, lambda r, e: duplicates_found_response(api, r, e))
api.add_router("/integrations", integrations_router)
api.add_router("/sales", sales_router)
api.add_router("/activities", activities_router)
api.add_router("/service", service_router)
api.add_router("/commerce", commerce_router)
api.add_router("/analytics", analytics_router)
api.add_router("/privacy", privacy_router)
api.add_router("/privacy/breaches", breaches_router)
api.add_router("/privacy/requests", requests_router)
api.add_router("/privacy/processing", processing_router)
api.add_router("/privacy/retention", retention_router)
api.add_router("/conversations", conversations_router)
api.add_router("/loyalty", loyalty_router)
api.add_router("/webhooks", webhooks_router)
api.add_router("/events", events_router)
api.add_router("/marketing", marketing_router)
