"""Store failures as one-line errors that name the database, its password masked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, SQLAlchemyError


class StoreError(RuntimeError):
    """Anything that went wrong with the database, in one line naming it (password masked)."""


class LeaseLost(StoreError):
    """A fenced write by an agent that no longer holds the target's lease: another agent owns it."""


class IncidentConflict(StoreError):
    """An open incident already exists for this (target, signature)."""


_USERINFO_PASSWORD = re.compile(r"(://[^/@:]*:)[^@/]*@")
_QUERY_PASSWORD = re.compile(r"(?i)(password=)[^&\s]*")


def mask(url: str) -> str:
    """The URL with any password replaced by ***."""
    return _QUERY_PASSWORD.sub(r"\1***", _USERINFO_PASSWORD.sub(r"\1***@", url))


def describe(exc: BaseException) -> str:
    """The first line of what the driver said, without SQLAlchemy's SQL echo and links."""
    orig = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = str(orig).strip() or type(orig).__name__
    first = text.splitlines()[0].strip()
    # psycopg: 'connection failed: connection to server at "h" (h), port 1 failed: Connection refused'
    return first.removeprefix("(psycopg.OperationalError) ")


@contextmanager
def guard(db: str, doing: str = "") -> Iterator[None]:
    """Turn driver and OS failures inside the block into a StoreError about `db` (already masked)."""
    try:
        yield
    except StoreError:
        raise
    except SQLAlchemyError as e:
        what = f"{doing}: " if doing else ""
        raise StoreError(f"{db}: {what}{mask(describe(e))}") from None
    except OSError as e:
        raise StoreError(f"{db}: {doing + ': ' if doing else ''}{e.strerror or e}") from None
