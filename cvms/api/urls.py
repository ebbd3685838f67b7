from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from cvms.api import immunization_views, stock_views, token_views, views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema", permission_classes=[AllowAny]), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema", permission_classes=[AllowAny]), name="redoc"),
    path("me/", views.me, name="me"),
    path("tokens/", token_views.token_issue, name="tokens"),
    path("tokens/current/", token_views.token_revoke, name="token-current"),
    path("vaccine-products/", views.vaccine_product_list, name="vaccine-products"),
    path("locations/", views.location_list, name="locations"),
    path("locations/<int:location_id>/", views.location_detail, name="location"),
    path("recipient-uploads/", views.recipient_upload_list, name="recipient-uploads"),
    path("recipient-uploads/<int:upload_id>/", views.recipient_upload_detail, name="recipient-upload"),
    # Stock: a location's lots and stock movements.
    path("locations/<int:location_id>/lots/", stock_views.lot_list, name="lots"),
    path("locations/<int:location_id>/lots/<int:lot_id>/", stock_views.lot_detail, name="lot"),
    path("locations/<int:location_id>/receipts/", stock_views.stock_receive, name="stock-receive"),
    path("locations/<int:location_id>/lots/<int:lot_id>/wastage/", stock_views.stock_waste, name="stock-waste"),
    path("locations/<int:location_id>/lots/<int:lot_id>/returns/", stock_views.stock_return, name="stock-return"),
    path("locations/<int:location_id>/lots/<int:lot_id>/adjustments/", stock_views.stock_adjust,
         name="stock-adjust"),
    path("locations/<int:location_id>/lots/<int:lot_id>/corrections/", stock_views.stock_correct,
         name="stock-correct"),
    # Doses given at a location.
    path("locations/<int:location_id>/immunizations/", immunization_views.immunization_create, name="immunizations"),
    path("locations/<int:location_id>/immunizations/batch/", immunization_views.immunization_batch,
         name="immunization-batch"),
    path("locations/<int:location_id>/immunizations/<int:immunization_id>/", immunization_views.immunization_detail,
         name="immunization"),
    path("locations/<int:location_id>/immunizations/<int:immunization_id>/entered-in-error/",
         immunization_views.immunization_entered_in_error, name="immunization-entered-in-error"),
]
