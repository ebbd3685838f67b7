from django.urls import path

from helpdesk import kb_views, views

app_name = "helpdesk"
urlpatterns = [
    path("", views.home, name="home"),
]

# The knowledge base.
urlpatterns += [
    path("kb/", kb_views.kb_search_page, name="kb_search"),
    path("kb/suggest", kb_views.kb_suggest_json, name="kb_suggest"),
    path("kb/<slug:slug>/", kb_views.kb_article, name="kb_article"),
]

# Cases: filing, the confirmation screen, My Lists.
from helpdesk import case_views  # noqa: E402

urlpatterns += [
    path("provider/new/", case_views.provider_new, name="provider_new"),
    path("recipient/new/", case_views.recipient_new, name="recipient_new"),
    path("submitted/", case_views.case_submitted, name="case_submitted"),
    path("cases/", case_views.case_list, name="case_list"),
    path("cases/<str:case_number>/", case_views.case_detail, name="case_detail"),
    path("cases/<str:case_number>/reply/", case_views.case_reply, name="case_reply"),
    path("cases/<str:case_number>/files/<int:attachment_id>/", case_views.attachment_download,
         name="case_attachment"),
]

# Registration (a Provider PIN or the generic code, an emailed temporary password).
from helpdesk import registration_views  # noqa: E402

urlpatterns += [
    path("register/", registration_views.register, name="register"),
    path("register/sent/", registration_views.register_sent, name="register_sent"),
    path("terms/", registration_views.terms, name="terms"),
]

# HCP onboarding and recipient bulk upload through the help desk.
from helpdesk import onboarding_views  # noqa: E402

urlpatterns += [
    path("onboarding/", onboarding_views.onboarding, name="onboarding"),
    path("onboarding/template.csv", onboarding_views.onboarding_template, {"kind": "csv"},
         name="onboarding_template_csv"),
    path("onboarding/template.xlsx", onboarding_views.onboarding_template, {"kind": "xlsx"},
         name="onboarding_template_xlsx"),
]
