from django.urls import path

from recipient_portal import views

app_name = "recipient_portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("welcome/resend/", views.welcome_resend, name="welcome_resend"),
    path("welcome/<str:token>/", views.welcome, name="welcome"),
]
