from django.urls import path

from organization_portal import views

app_name = "organization_portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("organizations/<int:organization_id>/", views.organization_detail, name="organization"),
]
