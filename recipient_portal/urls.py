from django.urls import path

from recipient_portal import views

app_name = "recipient_portal"
urlpatterns = [
    path("", views.home, name="home"),
]
