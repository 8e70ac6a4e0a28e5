"""Requests described once: a view names the command model its body must fit (`takes`) and its
query parameters (`query`); the body is parsed with that model (`command_of`), and the OpenAPI
description is generated from the same marks (`openapi`), so the two cannot drift."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Chalice
from chalice.app import Request

from ..services.commands import Command
from .errors import STATUS, json_body

View = Callable[..., Any]
ERROR_SCHEMA = {"type": "object", "required": ["error", "message"], "properties": {
    "error": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}}}
_STAFF_PREFIX = "/console/"
# Routes that answer 201 (something new was made); every other answers 200.
CREATED = {("/tickets", "POST"), ("/console/admin/accounts", "POST")}


def takes(model: type[Command], *, optional: bool = False) -> Callable[[View], View]:
    """Mark a view: its JSON body is a `model` (an empty body counts as {} when `optional`)."""
    def mark(view: View) -> View:
        view.request_model = model  # type: ignore[attr-defined]
        view.body_optional = optional  # type: ignore[attr-defined]
        return view
    return mark


def query(**parameters: str) -> Callable[[View], View]:
    """Mark a view's query parameters (name -> description)."""
    def mark(view: View) -> View:
        view.query_parameters = parameters  # type: ignore[attr-defined]
        return view
    return mark


def command_of(app: Chalice, request: Request) -> Any:
    """The current request's body, parsed with the model its view is marked with."""
    view = app.routes[request.context["resourcePath"]][request.method].view_function
    raw = request.raw_body
    data = json_body(raw) if raw or not view.body_optional else {}
    return view.request_model.parse(data)


def openapi(app: Chalice, server_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of every route, from the routes and the views' marks."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            if method == "OPTIONS":
                continue
            paths.setdefault(path, {})[method.lower()] = _operation(path, method, entry, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "码上办 mashang API", "version": "1",
                 "description": "Citizens file and follow cases; staff handle them (console)."},
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "staffSignIn": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                            "description": "The ID token of the staff user pool (Cognito)"}}},
    }


def _operation(path: str, method: str, entry: Any, schemas: dict[str, Any]) -> dict[str, Any]:
    view = entry.view_function
    doc = (view.__doc__ or view.__name__).strip().splitlines()[0]
    operation: dict[str, Any] = {"operationId": view.__name__, "summary": doc, "parameters": [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "maxLength": 64}}
        for name in entry.view_args]}
    for name, description in getattr(view, "query_parameters", {}).items():
        operation["parameters"].append({"name": name, "in": "query", "required": False,
                                        "description": description, "schema": {"type": "string"}})
    model = getattr(view, "request_model", None)
    if model is not None:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
        body = {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
        operation["requestBody"] = {"required": not view.body_optional,
                                    "content": {kind: body for kind in entry.content_types}}
    ok = "201" if (path, method) in CREATED else "200"
    errors = sorted({str(code) for code in STATUS.values()} | {"405", "415", "500"})
    refused = {"description": "refused", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}
    operation["responses"] = {
        ok: {"description": "done", "content": {"application/json": {"schema": {"type": "object"}}}},
        **{code: refused for code in errors}}
    if path.startswith(_STAFF_PREFIX):
        operation["security"] = [{"staffSignIn": []}]
    return operation
