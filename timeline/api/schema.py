"""The OpenAPI schema's view of the API: the errors every operation answers with, and the filters' types."""

import copy

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.drainage import set_override
from drf_spectacular.openapi import AutoSchema

FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "A list of messages per invalid field (`non_field_errors` for the whole object).",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"date": ["“2015-13” is not a valid EDTF date (…). Use YYYY, YYYY-MM or YYYY-MM-DD, …"]},
}
DETAIL_SCHEMA = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
# A body that is not JSON at all is answered with one "detail", not a message per field.
BAD_REQUEST_SCHEMA = {"anyOf": [DETAIL_SCHEMA, FIELD_ERRORS_SCHEMA]}


class CitelineAutoSchema(AutoSchema):
    """Documents the errors every operation can answer with, beside its success response."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {}
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            errors["400"] = (
                BAD_REQUEST_SCHEMA,
                "Invalid input: a message per field, or one `detail` for a body that is not JSON.",
            )
        elif self._is_list_view():
            errors["400"] = (FIELD_ERRORS_SCHEMA, "Invalid filter: a message per field.")
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            errors["401"] = (DETAIL_SCHEMA, "Not signed in: send a session cookie or `Authorization: Token <key>`.")
            errors["403"] = (DETAIL_SCHEMA, "Signed in without the permission for this change.")
        # DRF answers 404 for a page past the last and for a `?format=` it does not offer, on every operation.
        if "{" in self.path:
            errors["404"] = (DETAIL_SCHEMA, "No such object, or a draft the reader may not see; or no such `?format=`.")
        elif self._is_list_view():
            errors["404"] = (DETAIL_SCHEMA, "No such page (`?page=` past the last, or not a number), or no such `?format=`.")
        else:
            errors["404"] = (DETAIL_SCHEMA, "No such `?format=`.")
        for code, (schema, description) in errors.items():
            if code not in responses:
                response = self._get_response_for_code(schema, code, media_types=["application/json"], direction=direction)
                responses[code] = {**response, "description": description}
        return responses


class EventFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend for the shared EventFilter, whose parameter types the schema is told, not left to guess."""

    def get_filterset_kwargs(self, request, queryset, view):
        # The API answers editors with drafts without ?drafts=1; EventFilter still shows them to editors only.
        return {**super().get_filterset_kwargs(request, queryset, view), "drafts": True}


class EventFilterSchema(DjangoFilterExtension):
    """Slugs and natural-language dates are strings: say so, with each filter's help text."""

    target_class = "timeline.api.schema.EventFilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        if field_name in ("actor", "theme", "source", "timeline", "date_from", "date_to"):
            filter_field = copy.copy(filter_field)
            description = filter_field.extra.get("help_text") or str(filter_field.label)
            if field_name in ("actor", "theme", "source"):
                description += " Repeat the parameter for several slugs."
            set_override(filter_field, "field", {"type": "string", "description": description})
        return super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
