from django.urls import include, path

from relasi.accounts.views import set_language
from relasi.api import api
from relasi.core import pages
from relasi.sales.views.public import webform_public

urlpatterns = [
    path("", include("relasi.core.urls")),
    path("accounts/", include("relasi.accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("customers/", include("relasi.customers.urls")),
    path("integrations/", include("relasi.integrations.urls")),
    path("sales/", include("relasi.sales.urls")),
    path("f/<uuid:key>/", webform_public, name="webform_public"),  # public lead form
    path("activities/", include("relasi.activities.urls")),
    path("service/", include("relasi.service.urls")),
    path("portal/", include("relasi.service.portal_urls")),
    path("help/", include("relasi.service.help_urls")),
    path("commerce/", include("relasi.commerce.urls")),
    path("analytics/", include("relasi.analytics.urls")),
    path("privacy/", include("relasi.privacy.urls")),
    path("conversations/", include("relasi.conversations.urls")),
    path("loyalty/", include("relasi.loyalty.urls")),
    path("webhooks/", include("relasi.webhooks.urls")),
    path("marketing/", include("relasi.marketing.urls")),
    path("api/v1/", api.urls),
    path("health/", pages.health, name="health"),
]

handler403 = "relasi.core.pages.error_403"
handler404 = "relasi.core.pages.error_404"
handler500 = "relasi.core.pages.error_500"
