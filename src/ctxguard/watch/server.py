"""The agent's HTTP side: /metrics, /healthz, the JSON API and the dashboard, on loopback unless told otherwise.

Off loopback every request needs the configured bearer token (config.py refuses
to start without one); browsers may bring it once as `?token=` (web/auth.py).
Every answer carries a strict Content-Security-Policy. The dashboard's pages and
`/api/...` routes are web/'s, over the agent's memory and store (web/fleet.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ctxguard.web.app import build, dashboard_routes
from ctxguard.web.auth import CSP
from ctxguard.web.fleet import AgentFleet

if TYPE_CHECKING:
    from ctxguard.watch.agent import Agent

__all__ = ["CSP", "app", "read_token"]


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

    own = [Route("/metrics", metrics), Route("/healthz", healthz)]
    return build([*own, *dashboard_routes(AgentFleet(agent))], token)
