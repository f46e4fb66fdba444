"""The dashboard's routes (pages, their JSON, bundle files, static files) and the app that guards them.

Pages are rendered on the server by Jinja2 with autoescape on, from the same dict the
JSON route returns. They embed no script: static/dashboard.js fetches the JSON and
draws the plots (uPlot, vendored in static/), so the CSP can forbid inline script
and inline style outright.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ctxguard import __version__
from ctxguard.store.db import StoreError
from ctxguard.watch.present import incident_json
from ctxguard.web import bundles, views
from ctxguard.web.auth import HEADERS, guard
from ctxguard.web.fleet import Fleet

STATIC = Path(__file__).parent / "static"


def _when(value: str | None) -> str:
    """RFC 3339 (as the JSON has it) for people: `2026-12-07 12:00:05Z`."""
    return value.replace("T", " ").replace("+00:00", "Z") if value else "-"


def _epoch(value: float) -> str:
    return datetime.fromtimestamp(value).astimezone().strftime("%H:%M:%S") if value else "-"


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if n < 1024:
            return f"{n:.0f} {unit}"
        n = n // 1024
    return f"{n} GiB"


def templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ctxguard.web", "templates"),
        autoescape=True,  # every template, whatever its name: everything shown came from targets
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(when=_when, epoch=_epoch, size=_size)
    return env


def dashboard_routes(fleet: Fleet) -> list[BaseRoute]:
    env = templates()

    def page(request: Request, name: str, title: str, data: Any, status: int = 200, **extra: Any) -> HTMLResponse:
        html = env.get_template(name).render(
            title=title,
            data=data,
            mode=fleet.mode,
            base=request.scope.get("root_path", ""),
            version=__version__,
            **extra,
        )
        return HTMLResponse(html, status_code=status)

    def missing(request: Request, what: str) -> HTMLResponse:
        return page(request, "error.html", "not found", {"message": f"no {what}"}, status=404)

    def target_id(request: Request) -> int:
        return int(request.path_params["id"])

    async def fleet_page(request: Request) -> Response:
        data = await views.fleet_data(fleet, request.query_params.getlist("label"))
        query = request.url.query
        return page(request, "fleet.html", "fleet", data, api_url="/api/fleet" + (f"?{query}" if query else ""))

    async def fleet_api(request: Request) -> Response:
        return JSONResponse(await views.fleet_data(fleet, request.query_params.getlist("label")))

    async def targets_api(_: Request) -> Response:
        return JSONResponse(await views.targets_data(fleet))

    async def target_page(request: Request) -> Response:
        data = await views.target_data(fleet, target_id(request))
        if data is None:
            return missing(request, f"target {target_id(request)}")
        return page(request, "target.html", data["target"], data)

    async def target_api(request: Request) -> Response:
        data = await views.target_data(fleet, target_id(request))
        if data is None:
            return JSONResponse({"error": f"no target {target_id(request)}"}, status_code=404)
        return JSONResponse(data)

    async def series_api(request: Request) -> Response:
        tid = target_id(request)
        if await fleet.target(tid) is None:
            return JSONResponse({"error": f"no target {tid}"}, status_code=404)
        window = await fleet.window(tid)
        return JSONResponse(await asyncio.to_thread(views.series_data, window))

    def state_of(request: Request) -> str | None:
        state = request.query_params.get("state")
        if state not in (None, "open", "resolved"):
            raise ValueError("state must be open or resolved")
        return state

    async def incidents_page(request: Request) -> Response:
        try:
            state = state_of(request)
        except ValueError as e:
            return page(request, "error.html", "bad request", {"message": str(e)}, status=400)
        rows = [views.incident_row(i) for i in await fleet.incidents(state=state)]
        return page(request, "incidents.html", "incidents", rows, state=state or "")

    async def incidents_api(request: Request) -> Response:
        try:
            state = state_of(request)
        except ValueError as e:
            return JSONResponse({"error": str(e)}, status_code=400)
        # the JSON of `ctxguard incidents --format json`, as it always was
        return JSONResponse([incident_json(i) for i in await fleet.incidents(state=state)])

    async def incident_page(request: Request) -> Response:
        data = await views.incident_data(fleet, target_id(request))
        if data is None:
            return missing(request, f"incident {target_id(request)}")
        return page(request, "incident.html", f"incident {data['id']}", data)

    async def incident_api(request: Request) -> Response:
        try:
            iid = int(request.path_params["id"])
        except ValueError:
            return JSONResponse({"error": "incident ids are integers"}, status_code=400)
        data = await views.incident_data(fleet, iid)
        if data is None:
            return JSONResponse({"error": f"no incident {iid}"}, status_code=404)
        return JSONResponse(data)

    async def bundle_file(request: Request) -> Response:
        inc = await fleet.incident(target_id(request))
        name = request.path_params["name"]
        path = bundles.path_of(inc.bundle, name, fleet.bundle_root) if inc is not None else None
        if path is None:
            return PlainTextResponse("no such file in this incident's bundle\n", status_code=404)
        # always a download, never rendered here: report.html is a page of its own making
        return FileResponse(path, filename=name, media_type="application/octet-stream")

    return [
        Route("/", fleet_page),
        Route("/api/fleet", fleet_api),
        Route("/api/targets", targets_api),
        Route("/targets/{id:int}", target_page),
        Route("/api/targets/{id:int}", target_api),
        Route("/api/targets/{id:int}/series", series_api),
        Route("/incidents", incidents_page),
        Route("/api/incidents", incidents_api),
        Route("/incidents/{id:int}", incident_page),
        Route("/api/incidents/{id}", incident_api),
        Route("/incidents/{id:int}/bundle/{name}", bundle_file),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


async def _store_down(_: Request, exc: Exception) -> Response:
    return PlainTextResponse(f"{str(exc).splitlines()[0] if str(exc) else 'the store failed'}\n", status_code=503)


async def _crashed(_: Request, exc: Exception) -> Response:
    # answered outside the middleware (Starlette's outermost layer): the headers are set here
    return PlainTextResponse("internal error\n", status_code=500, headers=HEADERS)


def build(routes: Sequence[BaseRoute], token: str) -> Starlette:
    """The app: the routes behind the token guard, the security headers on every answer."""
    return Starlette(
        routes=list(routes),
        middleware=[guard(token)],
        exception_handlers={StoreError: _store_down, Exception: _crashed},
    )
