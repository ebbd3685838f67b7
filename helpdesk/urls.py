from django.urls import path

from helpdesk import views

app_name = "helpdesk"
urlpatterns = [
    path("", views.home, name="home"),
]

# Registration (a Provider PIN or the generic code, an emailed temporary password).
from helpdesk import registration_views  # noqa: E402

urlpatterns += [
    path("register/", registration_views.register, name="register"),
    path("register/sent/", registration_views.register_sent, name="register_sent"),
    path("terms/", registration_views.terms, name="terms"),
]
