from django.urls import path, re_path

from cvms.api import fhir_views

app_name = "fhir"
urlpatterns = [
    path("metadata", fhir_views.Metadata.as_view(), name="metadata"),
    path("Patient", fhir_views.PatientSearch.as_view(), name="patients"),
    path("Patient/<str:patient_id>", fhir_views.PatientRead.as_view(), name="patient"),
    path("Immunization", fhir_views.ImmunizationCollection.as_view(), name="immunizations"),
    path("Immunization/<str:immunization_id>", fhir_views.ImmunizationRead.as_view(), name="immunization"),
    re_path(r"^.*$", fhir_views.Unknown.as_view(), name="unknown"),
]
