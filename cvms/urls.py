from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from cvms.accounts import admin as accounts_admin
from cvms.accounts import views as accounts_views
from cvms.appointments import views as scheduling_views
from cvms.core import views as core_views
from cvms.health_cards import views as health_card_views

admin.site.site_header = _("CVMS administration")
admin.site.site_title = _("CVMS administration")

# Every error page in the site's layout (404 and 403 use Django's views with our templates; 429
# comes from allauth's handler and templates/429.html).
handler400 = "cvms.core.views.bad_request"
handler500 = "cvms.core.views.server_error"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("livez", core_views.livez, name="livez"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", accounts_views.language_set, name="set_language"),
    path("accounts/", include("cvms.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    # Before admin's own: the current password is checked through the sign-in lockout.
    path("admin/password_change/", admin.site.admin_view(accounts_admin.password_change)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("cvms.api.urls")),
    # The FHIR R4 API for electronic health records (same tokens and throttles as the API).
    path("fhir/", include("cvms.api.fhir_urls")),
    path("enroll/", include("enrollment.urls")),
    path("provider/", include("provider_portal.urls")),
    path("recipient/", include("recipient_portal.urls")),
    path("organization/", include("organization_portal.urls")),
    path("helpdesk/", include("helpdesk.urls")),
    # The public availability feed (SMART Scheduling Links): a manifest and its NDJSON files.
    path("scheduling/$bulk-publish", scheduling_views.manifest, name="scheduling_manifest"),
    path("scheduling/locations.ndjson", scheduling_views.locations, name="scheduling_locations"),
    path("scheduling/schedules.ndjson", scheduling_views.schedules, name="scheduling_schedules"),
    path("scheduling/slots/<int:location_id>.ndjson", scheduling_views.slots, name="scheduling_slots"),
    # SMART Health Cards: the issuer's public keys, for verifiers anywhere.
    path(".well-known/jwks.json", health_card_views.jwks, name="health_cards_jwks"),
    # Development only: the views answer 404 unless DEBUG is on and the mailbox backend is in use.
    path("dev/mail/", core_views.dev_mailbox, name="dev_mailbox"),
    path("dev/mail/<str:name>", core_views.dev_mailbox_message, name="dev_mailbox_message"),
]
