"""API: ``responses/export.csv`` and ``responses/export.xlsx``, the list as a file.

The filters are those of ``responses/`` (one ``FilterSet``, read by
``insights.selectors.responses``); a bad filter is the same 400.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

from cx.api.filters import refuse_unknown_parameters
from cx.api.permissions import organization_of
from cx.audit.models import Channel
from insights import exports
from insights.selectors.responses import ResponseFilter
from surveys.models import Response

COLUMNS_HELP = (
    "One row per response: id, completed_at (ISO 8601, the organisation's time zone), "
    "survey, touchpoint, journey, process, channel, language, origin, customer "
    "(external id; empty when anonymous), segments (keys, comma-separated), then one "
    "column per question, titled as asked in the organisation's language with its "
    "key in brackets at the end: 'How likely are you to recommend us? (nps)'. "
    "Text that a spreadsheet could take for a formula "
    "(starting with =, +, -, @, tab or carriage return) starts with an apostrophe."
)


class FileOrJsonNegotiation(BaseContentNegotiation):
    """Ignore Accept: the answer is a file, and an error is JSON, whatever is asked."""

    def select_parser(
        self, request: Request, parsers: Iterable[BaseParser]
    ) -> BaseParser:
        return next(iter(parsers))

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class ResponseExportView(GenericAPIView):
    fmt: str
    # Read by the schema, which documents the list's filters from it.
    filterset_class = ResponseFilter
    queryset = Response.objects.none()
    pagination_class = None
    content_negotiation_class = FileOrJsonNegotiation

    def get(self, request: Request) -> HttpResponseBase:
        refuse_unknown_parameters(request, ResponseFilter.base_filters, extra=())
        return exports.responses_export(
            request=request,
            organization=organization_of(request),
            channel=Channel.API,
            fmt=self.fmt,
            params=request.query_params,
        )


class ResponseCsvExportView(ResponseExportView):
    fmt = "csv"

    @extend_schema(
        operation_id="responses_export_csv",
        summary="The filtered responses as CSV (UTF-8 with BOM), streamed",
        description=COLUMNS_HELP,
        filters=True,
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.BINARY, description="An attachment: responses-….csv"
            )
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        return super().get(request)


class ResponseXlsxExportView(ResponseExportView):
    fmt = "xlsx"

    @extend_schema(
        operation_id="responses_export_xlsx",
        summary="The filtered responses as an Excel workbook",
        description=COLUMNS_HELP,
        filters=True,
        responses={
            (200, exports.XLSX_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="An attachment: responses-….xlsx"
            )
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        return super().get(request)
