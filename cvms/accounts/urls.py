from django.urls import path, re_path

from cvms.accounts import views

urlpatterns = [
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("password/permanent/", views.password_permanent, name="password_permanent"),
    # allauth's pages behind its emails, first given the addressee's language (same paths and names).
    re_path(r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$", views.password_reset_from_key,
            name="account_reset_password_from_key"),
    re_path(r"^confirm-email/(?P<key>[-:\w]+)/$", views.confirm_email, name="account_confirm_email"),
    # allauth's page of a person's addresses, except for recipients (same path and name).
    path("email/", views.email_manage, name="account_email"),
]
