"""URLs of the event-post benchmark's server: the product plus a bare DRF baseline.

``bare`` is what a plain Django REST Framework view does at the least to accept an
event: validate the same body with a serializer, upsert the customer and insert the
event (two statements, one transaction), and answer with the stored ids. No API key,
no triggers, no read-back. It writes to the organisation named by ``BENCH_ORGANIZATION``.
"""

from __future__ import annotations

import json
import os

from django.db import connection, transaction
from django.urls import include, path
from django.utils import timezone
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

ORGANIZATION = int(os.environ.get("BENCH_ORGANIZATION", "0"))


class BareCustomer(serializers.Serializer):
    external_id = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    name = serializers.CharField(required=False, allow_blank=True, default="")
    language = serializers.CharField(required=False, allow_blank=True, default="")
    attributes = serializers.DictField(required=False, default=dict)


class BareEvent(serializers.Serializer):
    event_id = serializers.CharField(max_length=200)
    type = serializers.CharField(max_length=200)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    customer = BareCustomer(required=False, allow_null=True)
    properties = serializers.DictField(required=False, default=dict)


class BareEventView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        incoming = BareEvent(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        customer = data.get("customer")
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            customer_id = None
            if customer:
                cursor.execute(
                    "INSERT INTO cx_customer (organization_id, external_id, email, name,"
                    " language, attributes, opted_out, created_at, updated_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s::jsonb, false, %s, %s)"
                    " ON CONFLICT (organization_id, external_id) DO UPDATE SET"
                    " email = excluded.email, updated_at = excluded.updated_at"
                    " RETURNING id",
                    [
                        ORGANIZATION,
                        customer["external_id"],
                        customer["email"],
                        customer["name"],
                        customer["language"],
                        json.dumps(customer["attributes"]),
                        now,
                        now,
                    ],
                )
                (customer_id,) = cursor.fetchone()
            cursor.execute(
                "INSERT INTO cx_event (organization_id, event_id, type, customer_id,"
                " occurred_at, received_at, properties)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb)"
                " ON CONFLICT (organization_id, event_id) DO NOTHING RETURNING id",
                [
                    ORGANIZATION,
                    data["event_id"],
                    data["type"],
                    customer_id,
                    data.get("occurred_at") or now,
                    now,
                    json.dumps(data["properties"]),
                ],
            )
            row = cursor.fetchone()
        return Response(
            {"id": row[0] if row else None, "event_id": data["event_id"]},
            status=status.HTTP_201_CREATED if row else status.HTTP_200_OK,
        )


urlpatterns = [
    path("bench/bare-event/", BareEventView.as_view()),
    path("", include("cx.urls")),
]
