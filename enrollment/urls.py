from django.urls import path

from enrollment import views

app_name = "enrollment"
urlpatterns = [
    path("", views.home, name="home"),
    path("organizations/<int:organization_id>/", views.organization_detail, name="organization"),
]
