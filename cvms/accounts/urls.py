from django.urls import path

from cvms.accounts import views

urlpatterns = [
    path("invitation/<str:token>/", views.invitation, name="invitation"),
]
