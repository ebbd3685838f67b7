from django.urls import path

from organization_portal import invitation_views, views

app_name = "organization_portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("organizations/<int:organization_id>/", views.organization_detail, name="organization"),
]

# Invited organizations and their coordinators (invitation_views.py).
urlpatterns += [
    path("invited/", invitation_views.invited_list, name="invited"),
    path("invited/new/", invitation_views.organization_invite, name="invite"),
    path("organizations/<int:organization_id>/coordinators/", invitation_views.team, name="team"),
    path("invitations/<int:invitation_id>/resend/", invitation_views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:invitation_id>/withdraw/", invitation_views.invitation_withdraw,
         name="invitation_withdraw"),
]
