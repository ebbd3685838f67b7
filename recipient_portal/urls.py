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
    path("appointments/", booking_views.appointments, name="appointments"),
    path("appointments/book/<int:location_id>/", booking_views.book_location, name="book_location"),
    path("appointments/<int:appointment_id>/", booking_views.appointment, name="appointment"),
    path("appointments/<int:appointment_id>/move/", booking_views.appointment_move, name="appointment_move"),
    path("appointments/<int:appointment_id>/cancel/", booking_views.appointment_cancel_view,
         name="appointment_cancel"),
    path("appointments/<int:appointment_id>/calendar.ics", booking_views.appointment_ics, name="appointment_ics"),
]

# Getting in: claiming a record with a one-time code.
from recipient_portal import claim_views  # noqa: E402

urlpatterns += [
    path("claim/", claim_views.claim_start, name="claim"),
    path("claim/code/", claim_views.claim_code, name="claim_code"),
    path("claim/password/", claim_views.claim_password, name="claim_password"),
]

# Contact details and preferences.
from recipient_portal import preferences_views  # noqa: E402

urlpatterns += [path("preferences/", preferences_views.preferences, name="preferences")]

# Registering on your own.
from recipient_portal import signup_views  # noqa: E402

urlpatterns += [path("register/", signup_views.register, name="register")]

# Find My Group: the questionnaire and the group it finds.
from recipient_portal import groups_views  # noqa: E402

urlpatterns += [
    path("my-group/", groups_views.group, name="group"),
    path("my-group/questions/", groups_views.group_questions, name="group_questions"),
]

# Proof of vaccination: the public page where venues check a SMART Health Card.
from recipient_portal import verify_views  # noqa: E402

urlpatterns += [
    path("verify/", verify_views.verify, name="verify"),
]

# Proof of vaccination: the signed-in recipient's own SMART Health Card file.
from recipient_portal import health_card_views  # noqa: E402

urlpatterns += [
    path("health-card.smart-health-card", health_card_views.card_file, name="health_card_file"),
    path("health-card.pdf", health_card_views.card_pdf, name="health_card_pdf"),
]

# Changing the email: the link sent to the new address confirms it.
urlpatterns += [path("preferences/email/<str:email_token>/", preferences_views.email_confirm, name="email_confirm")]
# The registration form, and requests for a correction of the record.
from recipient_portal import registration_views  # noqa: E402

urlpatterns += [
    path("registration/", registration_views.registration, name="registration"),
    path("requests/", registration_views.requests, name="requests"),
    path("requests/correction/", registration_views.correction_request, name="correction_request"),
]
