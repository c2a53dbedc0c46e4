"""`POST /calls`: a CRM or dialer reports a finished call; the rep gets the questions in a DM.

Idempotent on the call id: a repeated webhook answers `duplicate` and sends nothing.
Authenticated with the API bearer token (`INGEST_TOKEN`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.http_auth import bearer_auth
from bot.slack.app import SlackContext, start_conversation
from bot.storage.database import session_scope
from bot.storage.leads_repo import get_lead_by_email, normalize_email
from bot.storage.tables import Call, Conversation


class CallIn(BaseModel):
    """A finished sales call."""

    model_config = ConfigDict(extra="forbid")

    call_id: str = Field(min_length=1, max_length=200, description="The CRM's or dialer's id")
    lead_email: str = Field(max_length=320)
    rep_slack_id: str | None = Field(default=None, pattern=r"^[UW][A-Z0-9]{2,}$")
    rep_email: str | None = Field(default=None, max_length=320)
    ended_at: AwareDatetime | None = None
    notes: str | None = Field(default=None, max_length=20_000)
    framework: str | None = Field(default=None, description="bant, champ… (default bant)")

    @field_validator("lead_email", "rep_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return None if value is None else normalize_email(value)

    @model_validator(mode="after")
    def _rep(self) -> CallIn:
        if not (self.rep_slack_id or self.rep_email):
            raise ValueError("give rep_slack_id or rep_email")
        return self


class CallOut(BaseModel):
    call_id: str
    status: str  # "created" or "duplicate"
    conversation_id: int | None
    rep: str | None = None


def calls_router(ctx: SlackContext, client: AsyncWebClient, token: str | None) -> APIRouter:
    """The `/calls` endpoint, bound to the app's database and Slack client."""
    router = APIRouter()

    @router.post("/calls", dependencies=[Depends(bearer_auth(token))], status_code=201)
    async def report_call(call: CallIn) -> Any:
        framework = call.framework or "bant"
        if framework not in ctx.config.frameworks:
            raise HTTPException(
                422, f"unknown framework '{framework}' (use {', '.join(ctx.config.frameworks)})"
            )
        existing = await asyncio.to_thread(_existing, ctx, call.call_id)
        if existing is not None:
            return _duplicate(call.call_id, existing)
        lead_id = await asyncio.to_thread(_lead_id, ctx, call.lead_email)
        if lead_id is None:
            raise HTTPException(404, f"no lead with email {call.lead_email}")
        rep = call.rep_slack_id or await _rep_by_email(client, call.rep_email or "")
        recorded = await asyncio.to_thread(_record, ctx, call, lead_id, rep)
        if recorded is None:  # the same call arrived twice at once; the other one won
            return _duplicate(call.call_id, await asyncio.to_thread(_existing, ctx, call.call_id))
        step = await start_conversation(ctx, client, lead_id, rep, framework)
        await asyncio.to_thread(_link, ctx, recorded, step.conversation_id)
        return CallOut(
            call_id=call.call_id, status="created", conversation_id=step.conversation_id, rep=rep
        )

    return router


def _duplicate(call_id: str, call: Call | None) -> JSONResponse:
    body = CallOut(
        call_id=call_id,
        status="duplicate",
        conversation_id=None if call is None else call.conversation_id,
        rep=None if call is None else call.rep,
    )
    return JSONResponse(body.model_dump(), status_code=200)


async def _rep_by_email(client: AsyncWebClient, email: str) -> str:
    try:
        found = await client.users_lookupByEmail(email=email)
    except SlackApiError as exc:
        if exc.response.get("error") == "users_not_found":
            raise HTTPException(422, f"no Slack user with email {email}") from None
        raise HTTPException(502, f"Slack: {exc.response.get('error')}") from None
    return str(found["user"]["id"])


def _existing(ctx: SlackContext, call_id: str) -> Call | None:
    with session_scope(ctx.db) as session:
        call = session.exec(select(Call).where(Call.external_id == call_id)).first()
        if call is not None:
            session.expunge(call)
        return call


def _lead_id(ctx: SlackContext, email: str) -> int | None:
    with session_scope(ctx.db) as session:
        lead = get_lead_by_email(session, email)
        return None if lead is None else lead.id


def _record(ctx: SlackContext, call: CallIn, lead_id: int, rep: str) -> int | None:
    """Store the call; None when its id is already stored (unique constraint)."""
    try:
        with session_scope(ctx.db) as session:
            row = Call(
                external_id=call.call_id,
                lead_id=lead_id,
                rep=rep,
                ended_at=call.ended_at or ctx.now(),
                notes=call.notes,
                created_at=ctx.now(),
            )
            session.add(row)
            session.flush()
            return row.id
    except IntegrityError:
        return None


def _link(ctx: SlackContext, call_row_id: int | None, conversation_id: int) -> None:
    with session_scope(ctx.db) as session:
        call = session.get(Call, call_row_id)
        conversation = session.get(Conversation, conversation_id)
        if call is not None and conversation is not None:
            call.conversation_id = conversation_id
            conversation.call_id = call.id
            session.add_all([call, conversation])
