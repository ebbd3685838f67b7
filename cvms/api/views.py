from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from cvms.api.access import access_upload_by_user, access_upload_location_by_user, uploads_for_user
from cvms.api.serializers import (
    LocationSerializer,
    MeSerializer,
    RecipientUploadInputSerializer,
    RecipientUploadSerializer,
    VaccineProductSerializer,
)
from cvms.inventory.models import VaccineProduct
from cvms.organizations.models import Location
from cvms.uploads.models import UploadChannel
from cvms.uploads.parsing import FileRefused
from cvms.uploads.services.intake import upload_create


def _locations(user):
    return Location.objects.for_user(user).select_related("organization").order_by("name")


@extend_schema(responses=MeSerializer, summary="The signed-in user and their roles")
@api_view(["GET"])
def me(request):
    return Response(MeSerializer(request.user).data)


@extend_schema(responses=VaccineProductSerializer(many=True), summary="COVID-19 vaccine products (reference data)")
@api_view(["GET"])
def vaccine_product_list(request):
    products = VaccineProduct.objects.order_by("display_name")
    return Response(VaccineProductSerializer(products, many=True).data)


@extend_schema(responses=LocationSerializer(many=True), summary="Locations where the user holds a role")
@api_view(["GET"])
def location_list(request):
    return Response(LocationSerializer(_locations(request.user), many=True).data)


@extend_schema(responses=LocationSerializer, summary="One location where the user holds a role")
@api_view(["GET"])
def location_detail(request, location_id: int):
    return Response(LocationSerializer(get_object_or_404(_locations(request.user), pk=location_id)).data)


@extend_schema(
    methods=["POST"], request={"multipart/form-data": RecipientUploadInputSerializer},
    responses={201: RecipientUploadSerializer}, summary="Upload a recipient file; it is processed in the background",
)
@extend_schema(methods=["GET"], responses=RecipientUploadSerializer(many=True), summary="Your recipient uploads")
@api_view(["GET", "POST"])
@parser_classes([MultiPartParser])
def recipient_upload_list(request):
    if request.method == "GET":
        uploads = uploads_for_user(request.user)[:100]
        return Response(RecipientUploadSerializer(uploads, many=True).data)
    data = RecipientUploadInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    location = access_upload_location_by_user(request.user, data.validated_data["location"])
    upload_file = data.validated_data["file"]
    try:
        upload = upload_create(file=upload_file, filename=upload_file.name, channel=UploadChannel.API,
                               location=location, uploaded_by=request.user,
                               send_welcome=data.validated_data["send_welcome"])
    except FileRefused as refusal:
        return Response({"file": [str(refusal)]}, status=status.HTTP_400_BAD_REQUEST)
    return Response(RecipientUploadSerializer(upload).data, status=status.HTTP_201_CREATED)


@extend_schema(responses=RecipientUploadSerializer, summary="A recipient upload's progress and counts")
@api_view(["GET"])
def recipient_upload_detail(request, upload_id: int):
    return Response(RecipientUploadSerializer(access_upload_by_user(request.user, upload_id)).data)
