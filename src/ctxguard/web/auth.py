"""The token guard and the security headers, for every answer of the agent's app and of `ctxguard serve`.

With a token configured, every request needs it, however it comes:

- `Authorization: Bearer <token>` (scripts, Prometheus, curl);
- for a browser, `?token=<token>` once, on any page: the answer sets an HttpOnly,
  SameSite=Strict cookie and the page's script drops the token from the address bar.
  The cookie holds an HMAC of the token, not the token itself, so the browser never
  stores the secret. The page is served at once rather than redirected to, because a
  link followed from another site (an alert in a chat) would not send a Strict cookie
  on the redirected request.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable

from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # the token may be in the first page's URL
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}
COOKIE = "ctxguard_session"


def cookie_value(token: str) -> str:
    return hmac.new(token.encode(), b"ctxguard dashboard session", hashlib.sha256).hexdigest()


def guard(token: str) -> Middleware:
    """The middleware: the token check (when a token is set) and the headers on every answer, 401s included."""
    session = cookie_value(token) if token else ""

    async def dispatch(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        set_cookie = False
        if token:
            given = request.query_params.get("token")
            if given is not None:
                ok = hmac.compare_digest(given.encode(), token.encode())
                set_cookie = ok
            else:
                ok = hmac.compare_digest(
                    request.headers.get("authorization", "").encode(), f"Bearer {token}".encode()
                ) or hmac.compare_digest(request.cookies.get(COOKIE, "").encode(), session.encode())
        else:
            ok = True
        if ok:
            response = await call_next(request)
        else:
            response = PlainTextResponse(
                "a bearer token is required (browsers: open the page once with ?token=...)\n",
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        if set_cookie:
            response.set_cookie(
                COOKIE,
                session,
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
                path="/",
            )
        response.headers.update(HEADERS)
        return response

    return Middleware(BaseHTTPMiddleware, dispatch=dispatch)
