"""The agent's HTTP side: /metrics, /healthz and the JSON API, on loopback unless told otherwise.

Off loopback every request needs the configured bearer token (config.py refuses
to start without one). Every answer carries a strict Content-Security-Policy:
the JSON API renders nothing, and the dashboard (web/) builds on the same app.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ctxguard.watch.present import incident_json

if TYPE_CHECKING:
    from ctxguard.watch.agent import Agent

CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def read_token(path: str) -> str:
    if not path:
        return ""
    with open(path, encoding="utf-8") as fh:
        return fh.read().strip()


def app(agent: Agent, token: str = "") -> Starlette:
    async def metrics(_: Request) -> Response:
        return Response(generate_latest(agent.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    async def healthz(_: Request) -> Response:
        if agent.last_store_error:
            return PlainTextResponse(f"store: {agent.last_store_error}\n", status_code=503)
        return PlainTextResponse("ok\n")

    async def targets(_: Request) -> Response:
        out = []
        for st in sorted(agent.states.values(), key=lambda s: s.watched.target.url):
            h = st.health
            out.append(
                {
                    "id": st.id,
                    "target": st.watched.target.url,
                    "labels": dict(st.watched.target.labels),
                    "up": h.up,
                    "verdict": h.verdict,
                    "last_error": h.last_error,
                    "failures": h.failures,
                    "error_kind": h.error_kind,
                    "extra_error": st.extra_error,
                    "scrape_seconds": round(h.scrape_seconds, 4),
                    "lag_seconds": round(h.lag_seconds, 4),
                    "rounds": st.rounds,
                    "errors": st.errors_total,
                    "snapshots": len(st.window),
                    "agent": agent.name,
                }
            )
        return JSONResponse(out)

    async def incidents(request: Request) -> Response:
        state = request.query_params.get("state")
        if state not in (None, "open", "resolved"):
            return JSONResponse({"error": "state must be open or resolved"}, status_code=400)
        rows = await agent.db(agent.store.incidents, state=state)
        return JSONResponse([incident_json(i) for i in rows])

    async def incident(request: Request) -> Response:
        try:
            iid = int(request.path_params["id"])
        except ValueError:
            return JSONResponse({"error": "incident ids are integers"}, status_code=400)
        inc = await agent.db(agent.store.incident, iid)
        if inc is None:
            return JSONResponse({"error": f"no incident {iid}"}, status_code=404)
        actions = await agent.db(agent.store.actions, iid)
        body = incident_json(inc)
        body["actions"] = [
            {"kind": a.kind, "name": a.name, "at": a.at.isoformat(), "outcome": a.outcome, "detail": a.detail}
            for a in actions
        ]
        return JSONResponse(body)

    routes = [
        Route("/metrics", metrics),
        Route("/healthz", healthz),
        Route("/api/targets", targets),
        Route("/api/incidents", incidents),
        Route("/api/incidents/{id}", incident),
    ]

    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if token and not hmac.compare_digest(request.headers.get("authorization", ""), f"Bearer {token}"):
            response: Response = PlainTextResponse("a bearer token is required\n", status_code=401)
        else:
            response = await call_next(request)
        response.headers.update(_HEADERS)
        return response

    return Starlette(routes=routes, middleware=[Middleware(BaseHTTPMiddleware, dispatch=guard)])
