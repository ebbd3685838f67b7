from django.urls import path

from enrollment import review_views, views

app_name = "enrollment"
urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("agreements/<int:agreement_id>/", views.agreement_detail, name="agreement"),
    path("agreements/<int:agreement_id>/section-a/", views.section_a, name="section_a"),
    path("agreements/<int:agreement_id>/locations/new/", views.location_edit, name="location_new"),
    path("agreements/<int:agreement_id>/locations/<int:version_location_id>/", views.location_edit,
         name="location"),
    path("agreements/<int:agreement_id>/locations/<int:version_location_id>/remove/", views.location_remove,
         name="location_remove"),
    path("agreements/<int:agreement_id>/submit/", views.submit, name="submit"),
    path("agreements/<int:agreement_id>/amend/", views.amend, name="amend"),
    path("agreements/<int:agreement_id>/versions/<int:number>/", views.version_detail, name="version"),
    path("agreements/<int:agreement_id>/redistribution/", views.redistribution, name="redistribution"),
    path("organizations/<int:organization_id>/", views.organization_detail, name="organization"),
    path("review/", review_views.queue, name="review_queue"),
    path("review/<int:version_id>/", review_views.detail, name="review"),
    path("review/<int:version_id>/decide/", review_views.decide, name="decide"),
]
