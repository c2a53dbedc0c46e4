"""The bearer-token check shared by the HTTP API's routers (`INGEST_TOKEN`)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Header, HTTPException


def bearer_auth(token: str | None) -> Callable[..., None]:
    """A FastAPI dependency: 401 unless the request carries `Authorization: Bearer <token>`.

    With no token configured the API is disabled (every request gets 401).
    """

    def authorized(authorization: Annotated[str | None, Header()] = None) -> None:
        if not token:
            raise HTTPException(401, "the API is disabled: set INGEST_TOKEN")
        given = (authorization or "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(401, "missing or wrong bearer token")

    return authorized
