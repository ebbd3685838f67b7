from django.urls import path

from provider_portal import views

app_name = "provider_portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("locations/<int:location_id>/", views.location_detail, name="location"),
]
