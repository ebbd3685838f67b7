from django.urls import path

from organization_portal import dashboard_views, employee_views, invitation_views, removal_views, views

app_name = "organization_portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("organizations/<int:organization_id>/", views.organization_detail, name="organization"),
]

# --- Employees: an employer's upload of its employees and their registration.
employees = "employers/<int:employer_id>/employees/"
employee_upload = employees + "uploads/<int:employee_upload_id>/"
urlpatterns += [
    path("employees-template.csv", employee_views.employees_template, {"fmt": "csv"}, name="employees_template_csv"),
    path("employees-template.xlsx", employee_views.employees_template, {"fmt": "xlsx"},
         name="employees_template_xlsx"),
    path(employees, employee_views.employees, name="employees"),
    path(employees + "low-volume/", employee_views.employees_low_volume, name="employees_low_volume"),
    path(employees + "high-volume/", employee_views.employees_high_volume, name="employees_high_volume"),
    path(employees + "uploads/", employee_views.employee_uploads, name="employee_uploads"),
    path(employee_upload, employee_views.employee_upload, name="employee_upload"),
    path(employee_upload + "preview/", employee_views.employee_upload_preview, name="employee_upload_preview"),
    path(employee_upload + "cancel/", employee_views.employee_upload_cancel, name="employee_upload_cancel"),
    path(employee_upload + "create/", employee_views.employee_upload_confirm, name="employee_upload_create"),
    path(employee_upload + "progress/", employee_views.employee_upload_progress, name="employee_upload_progress"),
    path(employee_upload + "failed-records.csv", employee_views.employee_upload_failed_records, {"fmt": "csv"},
         name="employee_upload_failed_csv"),
    path(employee_upload + "failed-records.xlsx", employee_views.employee_upload_failed_records, {"fmt": "xlsx"},
         name="employee_upload_failed_xlsx"),
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

# Removing an employee: a request that state or help desk staff act on (removal_views.py).
urlpatterns += [
    path(employees + "<int:employee_id>/removal/", removal_views.removal_request, name="removal_request"),
    path(employees + "removal-requests/", removal_views.removal_requests, name="removal_requests"),
]

# Dashboards of a health department's counties and of the state (dashboard_views.py).
urlpatterns += [
    path("departments/<int:department_id>/dashboard/", dashboard_views.department_dashboard,
         name="department_dashboard"),
    path("departments/<int:department_id>/dashboard/<slug:figure>.csv", dashboard_views.department_dashboard_csv,
         name="department_dashboard_csv"),
    path("state/dashboard/", dashboard_views.state_dashboard, name="state_dashboard"),
    path("state/dashboard/<slug:figure>.csv", dashboard_views.state_dashboard_csv, name="state_dashboard_csv"),
]
