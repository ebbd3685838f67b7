from django.urls import path

from recipient_portal import views

app_name = "recipient_portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("welcome/resend/", views.welcome_resend, name="welcome_resend"),
    path("welcome/<str:token>/", views.welcome, name="welcome"),
]

# Appointments: the public "find a vaccine" page, and booking, moving and cancelling online.
from recipient_portal import booking_views, find_views  # noqa: E402

urlpatterns += [
    path("find-a-vaccine/", find_views.find, name="find"),
    path("appointments/", booking_views.not_built, name="appointments"),
    path("appointments/book/<int:location_id>/", booking_views.not_built, name="book_location"),
]
