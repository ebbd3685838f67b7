from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from cvms.api.serializers import LocationSerializer, MeSerializer, VaccineProductSerializer
from cvms.registry.models import Location, VaccineProduct


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
