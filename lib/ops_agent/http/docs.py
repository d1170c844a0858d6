"""The API's documentation as served locally: the OpenAPI document with bearer auth and the
error answers declared, and Swagger UI from local assets (it works offline).

Swagger UI's files come from the `swagger-ui-bundle` wheel (the `local` extra); without it the
page falls back to FastAPI's default, which loads them from a CDN.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/api/docs"
OPENAPI_URL = "/api/openapi.json"
ASSETS = "/api/docs/assets"

# Every answer that is not a success has one shape (http/errors.py).
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "example": "not_found"},
                "message": {"type": "string", "example": "no alert 8c1e..."},
                "details": {
                    "description": "more about the error: an object, the list of problems a "
                    "request had, or null",
                    "type": ["object", "array", "null"],
                },
            },
        }
    },
}
ERROR_ANSWERS = {
    "400": "the body or a parameter cannot be read (not JSON, or a value the store cannot hold)",
    "401": "no or a wrong `Authorization: Bearer <key>` (or signature, for webhooks and drains)",
    "403": "the key's role is too low for this",
    "404": "no such thing",
    "409": "it conflicts with the current state",
    "413": "the body is too large",
    "429": "over a rate limit (API_RATE_LIMITS): wait Retry-After seconds",
    "503": "not configured here, or a dependency is down",
}


def install_docs(app: FastAPI) -> None:
    """Serve the OpenAPI document and Swagger UI under /api, offline when the assets are
    installed."""
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    try:
        from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - the local extra is not installed
        js, css = None, None
    else:
        app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-assets")
        js, css = f"{ASSETS}/swagger-ui-bundle.js", f"{ASSETS}/swagger-ui.css"

    async def docs() -> HTMLResponse:
        options: dict[str, Any] = {"persistAuthorization": True}
        if js and css:
            return get_swagger_ui_html(
                openapi_url=OPENAPI_URL,
                title=f"{app.title} - API",
                swagger_js_url=js,
                swagger_css_url=css,
                swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
                swagger_ui_parameters=options,
            )
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL, title=f"{app.title} - API", swagger_ui_parameters=options
        )

    app.add_api_route(DOCS_URL, docs, include_in_schema=False, response_class=HTMLResponse)


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {})["bearerAuth"] = {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key (`ops-agent keys create`), or CRON_SECRET for the tick",
        }
        components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        schema["security"] = [{"bearerAuth": []}]
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                for status, why in ERROR_ANSWERS.items():
                    # A route that documents its own answer for a status (MCP's JSON-RPC
                    # errors) keeps it.
                    responses.setdefault(status, {"description": why}).setdefault("content", error)
                if "422" in responses:  # FastAPI's own 422 shape is not what is sent
                    responses["422"]["content"] = error
        app.openapi_schema = schema
    return app.openapi_schema
