"""`FakeSlack`: a local Slack Web API + Socket Mode server for tests (see the package docstring)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from aiohttp import WSCloseCode, WSMsgType, web

TEAM_ID = "T0FAKE"
TEAM_NAME = "Qualibot Test"
TEAM_DOMAIN = "qualibot-test"
APP_ID = "A0FAKE"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-1-fake-app-token"
SIGNING_SECRET = "fake-signing-secret"
DEFAULT_TZ = "America/New_York"

TOKEN_PREFIXES = ("xoxb-", "xoxp-", "xapp-")
# Form-encoded requests carry these as JSON strings (slack_sdk serializes them): decode them.
JSON_PARAMS = frozenset(
    {"attachments", "blocks", "metadata", "view", "unfurls"}
    | {"user_auth_blocks", "user_auth_message"}
)
# Methods that need an app-level (xapp-) token; every other one refuses it.
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})

Handler = Callable[["Call"], dict[str, Any]]


@dataclass
class Call:
    """One Web API request as the fake received it.

    `params` merges the query string and the body (JSON, form or multipart); form values named in
    `JSON_PARAMS` (blocks, metadata, view, ...) are decoded from their JSON strings, so a test sees
    the same structure whichever encoding slack_sdk chose. `token` comes from `Authorization:
    Bearer` or a `token` param (which is then removed from `params`). `status`/`response` are what
    the fake answered (set once answered; a call answered 429 is recorded too).
    """

    method: str
    params: dict[str, Any]
    token: str | None
    time: float
    http_method: str = "POST"
    content_type: str = ""
    status: int | None = None
    response: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))


@dataclass
class SocketAck:
    """A Socket Mode acknowledgement sent by a client: `{"envelope_id": ..., "payload": ...}`."""

    envelope_id: str
    payload: dict[str, Any] | None
    time: float
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class ResponseCall:
    """A POST to a `response_url` made with `FakeSlack.response_url(name)`."""

    name: str
    body: Any
    time: float
    content_type: str = ""


@dataclass
class _Failure:
    error: str
    status: int
    retry_after: int | None


class SlackError(Exception):
    """Raised by a method handler to answer `{"ok": false, "error": error, **extra}`."""

    def __init__(self, error: str, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra


_ts_lock = threading.Lock()
_last_ts = 0


def new_ts() -> str:
    """A Slack message timestamp like `1700000000.123456` from the wall clock, strictly increasing
    in this process: the fake's posts and the payload builders' events share it, so messages sort
    in the order they were made whoever made them."""
    global _last_ts
    with _ts_lock:
        _last_ts = max(time.time_ns() // 1000, _last_ts + 1)
        return f"{_last_ts // 1_000_000}.{_last_ts % 1_000_000:06d}"


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)


def _ts_key(ts: str) -> tuple[int, int]:
    sec, _, frac = str(ts).partition(".")
    return int(sec or 0), int((frac or "0").ljust(6, "0")[:6])


class FakeSlack:
    """A fake Slack on 127.0.0.1: Web API at `base_url`, Socket Mode websocket at `/link`.

    Start it with `with FakeSlack() as fake:` (sync or async tests: it runs in its own thread and
    event loop), `async with FakeSlack() as fake:`, or `start()`/`stop()`.
    """

    def __init__(
        self,
        *,
        tokens: Iterable[str] | None = None,
        auto_users: bool = True,
        validate_blocks: bool = True,
        team_id: str = TEAM_ID,
        app_id: str = APP_ID,
        bot_user_id: str = BOT_USER_ID,
        bot_id: str = BOT_ID,
    ) -> None:
        self.tokens: set[str] | None = set(tokens) if tokens is not None else None
        self.revoked_tokens: set[str] = set()
        self.auto_users = auto_users
        self.validate_blocks = validate_blocks
        self.team_id = team_id
        self.app_id = app_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id

        self._lock = threading.RLock()
        self._calls: list[Call] = []
        self._responses: list[ResponseCall] = []
        self._acks: list[SocketAck] = []
        self._envelopes: list[dict[str, Any]] = []
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._ephemerals: list[dict[str, Any]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._failures: dict[str, deque[_Failure]] = {}
        self._custom: dict[str, Handler] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_connects = 0
        self._ids = itertools.count(1)

        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._startup_error: BaseException | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeSlack:
        if self._thread is not None:
            raise RuntimeError("FakeSlack already started")
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="FakeSlack", daemon=True
        )
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("FakeSlack did not start within 10 s")
        if self._startup_error is not None:
            raise RuntimeError("FakeSlack failed to start") from self._startup_error
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running():
            fut = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            with contextlib.suppress(Exception):
                fut.result(10)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeSlack:
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.stop)

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._startup())
        except BaseException as e:  # reported by start()
            self._startup_error = e
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _startup(self) -> None:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_get("/link", self._handle_socket)
        app.router.add_get("/link/", self._handle_socket)
        app.router.add_post("/response/{name}", self._handle_response_url)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(runner, sock).start()
        self._runner = runner

    async def _shutdown(self) -> None:
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close(code=WSCloseCode.GOING_AWAY, message=b"fake slack stopped")
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ addresses
    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeSlack is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """Web API base URL for `AsyncWebClient(base_url=...)` / `SLACK_API_URL` (ends in `/`)."""
        return f"{self.url}/api/"

    @property
    def socket_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link"

    def response_url(self, name: str = "default") -> str:
        """A `response_url` on the fake: POSTed bodies are recorded in `responses`."""
        return f"{self.url}/response/{name}"

    def env(self, *, socket_mode: bool = False) -> dict[str, str]:
        """Settings for the product (`SLACK_*` environment variables) pointing at this fake."""
        env = {
            "SLACK_API_URL": self.base_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        }
        if socket_mode:
            env["SLACK_APP_TOKEN"] = APP_TOKEN
        return env

    # ------------------------------------------------------------------ recorded calls
    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[Call]:
        """Calls of one method, oldest first (`ok=True`: only the answered-ok ones)."""
        with self._lock:
            return [c for c in self._calls if c.method == method and (ok is None or c.ok == ok)]

    def wait_for(
        self,
        method: str,
        n: int = 1,
        timeout: float = 5,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Block until `n` answered calls of `method` (matching `where`) arrived; return them all.

        Blocks the calling thread: in async tests use `wait_for_async`.
        """
        _refuse_in_event_loop("wait_for")
        deadline = time.monotonic() + timeout
        while True:
            found = self._matching(method, where)
            if len(found) >= n or time.monotonic() >= deadline:
                break
            time.sleep(0.005)
        return self._check_count(found, method, n, timeout)

    async def wait_for_async(
        self,
        method: str,
        n: int = 1,
        timeout: float = 5,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        deadline = time.monotonic() + timeout
        while True:
            found = self._matching(method, where)
            if len(found) >= n or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.005)
        return self._check_count(found, method, n, timeout)

    def _matching(self, method: str, where: Callable[[Call], bool] | None) -> list[Call]:
        with self._lock:
            calls = [c for c in self._calls if c.method == method and c.status is not None]
        return [c for c in calls if where is None or where(c)]

    def _check_count(self, found: list[Call], method: str, n: int, timeout: float) -> list[Call]:
        if len(found) < n:
            seen = [c.method for c in self.calls]
            raise AssertionError(
                f"expected {n} call(s) to {method} within {timeout} s, got {len(found)}; "
                f"calls so far: {seen}"
            )
        return found

    # ------------------------------------------------------------------ state for assertions
    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages in a channel (posted by the app or added with `add_message`), oldest first."""
        with self._lock:
            return [dict(m) for m in self._messages.get(channel, [])]

    def all_messages(self) -> list[dict[str, Any]]:
        """Every stored message of every channel (each with its `channel`), oldest first."""
        with self._lock:
            out = [dict(m, channel=ch) for ch, ms in self._messages.items() for m in ms]
        return sorted(out, key=lambda m: _ts_key(m["ts"]))

    def find_messages(
        self,
        *,
        channel: str | None = None,
        event_type: str | None = None,
        where: Callable[[dict[str, Any]], bool] | None = None,
    ) -> list[dict[str, Any]]:
        """Stored messages filtered by channel, metadata `event_type` and/or a predicate."""
        out = []
        for m in self.all_messages():
            if channel is not None and m["channel"] != channel:
                continue
            if event_type is not None and (m.get("metadata") or {}).get("event_type") != event_type:
                continue
            if where is not None and not where(m):
                continue
            out.append(m)
        return out

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        with self._lock:
            for m in self._messages.get(channel, []):
                if m["ts"] == ts:
                    return dict(m)
        raise KeyError(f"no message {ts} in {channel}")

    @property
    def ephemerals(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e) for e in self._ephemerals]

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        """Open modals and published home tabs by view id (latest content)."""
        with self._lock:
            return {k: dict(v) for k, v in self._views.items()}

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home view last published for a user (None if never)."""
        with self._lock:
            v = self._home_views.get(user_id)
            return dict(v) if v is not None else None

    def add_message(
        self,
        channel: str,
        text: str = "",
        *,
        user: str | None = None,
        ts: str | None = None,
        thread_ts: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Store a message as if someone (default: a user `U0HUMAN`) had written it."""
        msg: dict[str, Any] = {
            "type": "message",
            "user": user or "U0HUMAN",
            "text": text,
            "ts": ts or self.next_ts(),
            "team": self.team_id,
            **fields,
        }
        if thread_ts:
            msg["thread_ts"] = thread_ts
        self._store_message(channel, msg)
        return dict(msg)

    def user_message(
        self, text: str, user: str = "U0HUMAN", channel: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """A user writes `text` (default: in their DM with the app, `"D" + user`): the message is
        stored (conversations.history shows it) and its `message` event is returned, ready for
        `payloads.event_body(...)` (HTTP) or `send_socket_event("events_api", event_payload(...))`.
        """
        from tests.slack_fake.payloads import message_event

        event = message_event(text, user, channel, **fields)
        stored = {
            k: v for k, v in event.items() if k not in ("event_ts", "channel", "channel_type")
        }
        self._store_message(event["channel"], stored)
        return event

    # ------------------------------------------------------------------ users
    def add_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        tz: str = DEFAULT_TZ,
        name: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        **profile: Any,
    ) -> dict[str, Any]:
        """Add (or replace) a workspace user returned by users.info / users.lookupByEmail."""
        real_name = name or f"User {user_id}"
        first, _, last = real_name.partition(" ")
        zone = ZoneInfo(tz)
        now = datetime.now(zone)
        offset = now.utcoffset()
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": real_name.lower().replace(" ", "."),
            "deleted": deleted,
            "real_name": real_name,
            "tz": tz,
            "tz_label": now.tzname() or tz,
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "is_admin": False,
            "is_owner": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": 1_700_000_000,
            "profile": {
                "real_name": real_name,
                "real_name_normalized": real_name,
                "display_name": first,
                "display_name_normalized": first,
                "first_name": first,
                "last_name": last,
                "email": email or f"{user_id.lower()}@example.com",
                "team": self.team_id,
                "image_48": f"https://example.com/avatars/{user_id}_48.png",
                **profile,
            },
        }
        with self._lock:
            self._users[user_id] = user
        return json.loads(json.dumps(user))

    def _user(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            user = self._users.get(user_id)
        if user is None and self.auto_users and user_id:
            self.add_user(user_id)
            with self._lock:
                user = self._users[user_id]
        return user

    # ------------------------------------------------------------------ behaviour control
    def fail_next(
        self,
        method: str,
        error: str = "ratelimited",
        status: int | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail.

        `error="ratelimited"` (default) answers HTTP 429 with `Retry-After: retry_after` (default
        1 s) and `{"ok": false, "error": "ratelimited"}`; any other error answers HTTP `status`
        (default 200) with `{"ok": false, "error": error}`.
        """
        if status is None:
            status = 429 if error == "ratelimited" else 200
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            q = self._failures.setdefault(method, deque())
            q.extend(_Failure(error, status, retry_after) for _ in range(times))

    def respond(self, method: str, response: dict[str, Any] | Handler) -> None:
        """Answer `method` with a fixed body (`ok` defaults to true) or `response(call) -> body`.

        Overrides the built-in behaviour; lets a test emulate a method the fake does not know.
        A handler may raise `SlackError(error)` to answer `{"ok": false, "error": error}`.
        """
        if callable(response):
            self._custom[method] = response
        else:
            body = dict(response)
            self._custom[method] = lambda call: json.loads(json.dumps(body))

    def revoke_token(self, token: str) -> None:
        """From now on calls with `token` answer `invalid_auth`."""
        with self._lock:
            self.revoked_tokens.add(token)

    def next_ts(self) -> str:
        """A new message timestamp (see `new_ts`)."""
        return new_ts()

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}0FAKE{next(self._ids):06d}"

    # ------------------------------------------------------------------ response_url
    @property
    def responses(self) -> list[ResponseCall]:
        with self._lock:
            return list(self._responses)

    def responses_to(self, name: str = "default") -> list[ResponseCall]:
        with self._lock:
            return [r for r in self._responses if r.name == name]

    def wait_for_response(
        self, name: str = "default", n: int = 1, timeout: float = 5
    ) -> list[ResponseCall]:
        _refuse_in_event_loop("wait_for_response")
        deadline = time.monotonic() + timeout
        while len(self.responses_to(name)) < n and time.monotonic() < deadline:
            time.sleep(0.005)
        return self._check_responses(name, n, timeout)

    async def wait_for_response_async(
        self, name: str = "default", n: int = 1, timeout: float = 5
    ) -> list[ResponseCall]:
        deadline = time.monotonic() + timeout
        while len(self.responses_to(name)) < n and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        return self._check_responses(name, n, timeout)

    def _check_responses(self, name: str, n: int, timeout: float) -> list[ResponseCall]:
        found = self.responses_to(name)
        if len(found) < n:
            raise AssertionError(
                f"expected {n} POST(s) to response_url {name!r} within {timeout} s, "
                f"got {len(found)}"
            )
        return found

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        raw = await request.text()
        body: Any
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            form = dict(parse_qsl(raw, keep_blank_values=True))
            body = json.loads(form["payload"]) if "payload" in form else (form or raw)
        rec = ResponseCall(request.match_info["name"], body, time.time(), request.content_type)
        with self._lock:
            self._responses.append(rec)
        return web.json_response({"ok": True})

    # ------------------------------------------------------------------ Socket Mode
    @property
    def socket_acks(self) -> list[SocketAck]:
        with self._lock:
            return list(self._acks)

    @property
    def socket_envelopes(self) -> list[dict[str, Any]]:
        """Envelopes sent to Socket Mode clients, oldest first."""
        with self._lock:
            return list(self._envelopes)

    @property
    def socket_connections(self) -> int:
        """How many Socket Mode clients are connected now."""
        with self._lock:
            return sum(1 for ws in self._sockets if not ws.closed)

    def build_envelope(
        self,
        payload_type: str,
        payload: dict[str, Any],
        *,
        envelope_id: str | None = None,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> dict[str, Any]:
        """A Socket Mode envelope as Slack sends it.

        `payload_type`: `events_api`, `slash_commands` or `interactive`; `accepts_response_payload`
        defaults to Slack's choice (slash commands, view submissions, block suggestions).
        """
        if accepts_response_payload is None:
            accepts_response_payload = payload_type == "slash_commands" or (
                payload_type == "interactive"
                and payload.get("type") in {"view_submission", "block_suggestion"}
            )
        env: dict[str, Any] = {
            "envelope_id": envelope_id or f"env-{next(self._ids):06d}-fake",
            "type": payload_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if payload_type == "events_api":
            env["retry_attempt"] = retry_attempt
            env["retry_reason"] = retry_reason
        return env

    async def socket_send(self, envelope: dict[str, Any], timeout: float = 5) -> str:
        """Push an envelope to the newest connected client (waits up to `timeout` for one)."""
        envelope = dict(envelope)
        envelope.setdefault("envelope_id", f"env-{next(self._ids):06d}-fake")
        loop = self._require_loop()
        fut = asyncio.run_coroutine_threadsafe(self._socket_send(envelope, timeout), loop)
        await asyncio.wrap_future(fut)
        return str(envelope["envelope_id"])

    def send_socket_event(
        self,
        payload_type: str,
        payload: dict[str, Any],
        *,
        timeout: float = 5,
        **envelope_fields: Any,
    ) -> str:
        """Sync: build an envelope (see `build_envelope`), push it, return its `envelope_id`.

        Safe in async tests too (it waits only for the fake's own thread).
        """
        envelope = self.build_envelope(payload_type, payload, **envelope_fields)
        loop = self._require_loop()
        fut = asyncio.run_coroutine_threadsafe(self._socket_send(envelope, timeout), loop)
        fut.result(timeout + 5)
        return str(envelope["envelope_id"])

    def disconnect_sockets(self, reason: str = "refresh_requested") -> None:
        """Send `{"type": "disconnect", "reason": ...}` to every client (they should reconnect)."""
        loop = self._require_loop()

        async def go() -> None:
            for ws in list(self._sockets):
                if not ws.closed:
                    await ws.send_json({"type": "disconnect", "reason": reason})

        asyncio.run_coroutine_threadsafe(go(), loop).result(5)

    def wait_for_ack(self, envelope_id: str, timeout: float = 5) -> SocketAck:
        """Block until the client acknowledged `envelope_id`; in async tests use the async one."""
        _refuse_in_event_loop("wait_for_ack")
        deadline = time.monotonic() + timeout
        while (ack := self._ack(envelope_id)) is None and time.monotonic() < deadline:
            time.sleep(0.005)
        return self._check_ack(ack, envelope_id, timeout)

    async def wait_for_ack_async(self, envelope_id: str, timeout: float = 5) -> SocketAck:
        deadline = time.monotonic() + timeout
        while (ack := self._ack(envelope_id)) is None and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        return self._check_ack(ack, envelope_id, timeout)

    def wait_for_socket(self, n: int = 1, timeout: float = 5) -> None:
        """Block until `n` Socket Mode clients are connected."""
        _refuse_in_event_loop("wait_for_socket")
        deadline = time.monotonic() + timeout
        while self.socket_connections < n and time.monotonic() < deadline:
            time.sleep(0.005)
        if self.socket_connections < n:
            raise AssertionError(f"expected {n} Socket Mode connection(s) within {timeout} s")

    async def wait_for_socket_async(self, n: int = 1, timeout: float = 5) -> None:
        deadline = time.monotonic() + timeout
        while self.socket_connections < n and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        if self.socket_connections < n:
            raise AssertionError(f"expected {n} Socket Mode connection(s) within {timeout} s")

    def _ack(self, envelope_id: str) -> SocketAck | None:
        with self._lock:
            return next((a for a in self._acks if a.envelope_id == envelope_id), None)

    def _check_ack(self, ack: SocketAck | None, envelope_id: str, timeout: float) -> SocketAck:
        if ack is None:
            raise AssertionError(f"no ack for envelope {envelope_id} within {timeout} s")
        return ack

    def _require_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("FakeSlack is not started")
        return self._loop

    async def _socket_send(self, envelope: dict[str, Any], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            open_ws = [ws for ws in self._sockets if not ws.closed]
            if open_ws:
                break
            if time.monotonic() >= deadline:
                raise AssertionError(f"no Socket Mode client connected within {timeout} s")
            await asyncio.sleep(0.005)
        with self._lock:
            self._envelopes.append(envelope)
        await open_ws[-1].send_str(json.dumps(envelope))

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        with self._lock:
            self._sockets.append(ws)
            self._socket_connects += 1
            n = sum(1 for s in self._sockets if not s.closed)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": n,
                "debug_info": {
                    "host": "fake-slack",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.app_id},
            }
        )
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    data = json.loads(msg.data)
                except ValueError:
                    continue
                if isinstance(data, dict) and "envelope_id" in data:
                    eid = str(data["envelope_id"])
                    ack = SocketAck(eid, data.get("payload"), time.time(), data)
                    with self._lock:
                        self._acks.append(ack)
        finally:
            with self._lock:
                if ws in self._sockets:
                    self._sockets.remove(ws)
        return ws

    # ------------------------------------------------------------------ Web API dispatch
    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        ctype = request.content_type
        if request.method == "POST" and request.can_read_body:
            if ctype == "application/json":
                raw = await request.text()
                if raw.strip():
                    body = json.loads(raw)
                    if isinstance(body, dict):
                        params.update(body)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for k, v in form.items():
                    if isinstance(v, web.FileField):
                        params[k] = {"filename": v.filename, "size": len(v.file.read())}
                    else:
                        params[k] = v if isinstance(v, str) else v.decode()
            else:
                raw = await request.text()
                params.update(parse_qsl(raw, keep_blank_values=True))
        for key in JSON_PARAMS & params.keys():
            if isinstance(params[key], str) and params[key][:1] in "[{":
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(params[key])
        token = None
        auth = request.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        if "token" in params:
            token = token or str(params["token"])
            params.pop("token")
        call = Call(method, params, token, time.time(), request.method, ctype)
        with self._lock:
            self._calls.append(call)
            failures = self._failures.get(method)
            failure = failures.popleft() if failures else None

        headers: dict[str, str] = {}
        if failure is not None:
            status = failure.status
            body = {"ok": False, "error": failure.error}
            if failure.retry_after is not None:
                headers["Retry-After"] = str(failure.retry_after)
        else:
            status, body = self._answer(call)
        with self._lock:
            call.status, call.response = status, body
        return web.json_response(body, status=status, headers=headers)

    def _answer(self, call: Call) -> tuple[int, dict[str, Any]]:
        try:
            self._check_token(call)
            custom = self._custom.get(call.method)
            if custom is not None:
                body = custom(call)
            else:
                builtin = self._builtin.get(call.method)
                if builtin is None:
                    raise SlackError("unknown_method", req_method=call.method)
                body = builtin(self, call)
            return 200, {"ok": True, **body}
        except SlackError as e:
            return e.status, {"ok": False, "error": e.error, **e.extra}

    def _check_token(self, call: Call) -> None:
        token = call.token
        if not token or token in self.revoked_tokens:
            raise SlackError("invalid_auth")
        if self.tokens is not None:
            if token not in self.tokens:
                raise SlackError("invalid_auth")
        elif not token.startswith(TOKEN_PREFIXES):
            raise SlackError("invalid_auth")
        is_app_token = token.startswith("xapp-")
        if call.method in APP_TOKEN_METHODS and not is_app_token:
            raise SlackError("not_allowed_token_type")
        if is_app_token and call.method not in APP_TOKEN_METHODS and call.method != "auth.test":
            raise SlackError("not_allowed_token_type")

    # ------------------------------------------------------------------ helpers for methods
    def _store_message(self, channel: str, msg: dict[str, Any]) -> None:
        with self._lock:
            msgs = self._messages.setdefault(channel, [])
            msgs.append(msg)
            msgs.sort(key=lambda m: _ts_key(m["ts"]))

    def _find_message(self, channel: str, ts: str) -> dict[str, Any]:
        with self._lock:
            for m in self._messages.get(channel, []):
                if m["ts"] == ts:
                    return m
        raise SlackError("message_not_found")

    def _channel_id(self, channel: Any) -> str:
        channel = str(channel or "")
        if not channel:
            raise SlackError("channel_not_found")
        if channel[0] in "UW":  # posting to a user id goes to the DM with that user
            return "D" + channel
        return channel

    def _check_blocks(self, blocks: Any, limit: int) -> None:
        if blocks is None or blocks == "" or not self.validate_blocks:
            return
        problems = _block_problems(blocks, limit)
        if problems:
            raise SlackError("invalid_blocks", response_metadata={"messages": problems})

    def _bot_message(self, params: dict[str, Any], ts: str) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "type": "message",
            "text": str(params.get("text") or ""),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": ts,
        }
        blocks = params.get("blocks")
        if blocks:
            msg["blocks"] = _with_block_ids(blocks, ts)
        if params.get("attachments"):
            msg["attachments"] = params["attachments"]
        metadata = params.get("metadata")
        if metadata:
            if not (
                isinstance(metadata, dict)
                and isinstance(metadata.get("event_type"), str)
                and isinstance(metadata.get("event_payload"), dict)
            ):
                raise SlackError("invalid_metadata_format")
            msg["metadata"] = metadata
        return msg

    # ------------------------------------------------------------------ methods
    def _auth_test(self, call: Call) -> dict[str, Any]:
        return {
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": "qualibot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, call: Call) -> dict[str, Any]:
        p = call.params
        channel = self._channel_id(p.get("channel"))
        if not (p.get("text") or p.get("blocks") or p.get("attachments")):
            raise SlackError("no_text")
        self._check_blocks(p.get("blocks"), 50)
        ts = self.next_ts()
        msg = self._bot_message(p, ts)
        thread_ts = p.get("thread_ts")
        if thread_ts:
            msg["thread_ts"] = str(thread_ts)
            if _truthy(p.get("reply_broadcast")):
                msg["reply_broadcast"] = True
        self._store_message(channel, msg)
        return {"channel": channel, "ts": ts, "message": dict(msg)}

    def _chat_update(self, call: Call) -> dict[str, Any]:
        p = call.params
        channel = self._channel_id(p.get("channel"))
        ts = str(p.get("ts") or "")
        msg = self._find_message(channel, ts)
        if not (p.get("text") or p.get("blocks") or p.get("attachments")):
            raise SlackError("no_text")
        self._check_blocks(p.get("blocks"), 50)
        new = self._bot_message(p, ts)
        with self._lock:
            for key in ("blocks", "attachments", "metadata"):
                if key in new:
                    msg[key] = new[key]
                elif key in p:  # an explicit empty value clears it
                    msg.pop(key, None)
            msg["text"] = new["text"]
            msg["edited"] = {"user": self.bot_user_id, "ts": self.next_ts()}
            echo = dict(msg)
        return {"channel": channel, "ts": ts, "text": echo["text"], "message": echo}

    def _chat_delete(self, call: Call) -> dict[str, Any]:
        channel = self._channel_id(call.params.get("channel"))
        ts = str(call.params.get("ts") or "")
        msg = self._find_message(channel, ts)
        with self._lock:
            self._messages[channel].remove(msg)
        return {"channel": channel, "ts": ts}

    def _chat_post_ephemeral(self, call: Call) -> dict[str, Any]:
        p = call.params
        channel = self._channel_id(p.get("channel"))
        if not p.get("user"):
            raise SlackError("user_not_in_channel")
        if not (p.get("text") or p.get("blocks") or p.get("attachments")):
            raise SlackError("no_text")
        self._check_blocks(p.get("blocks"), 50)
        ts = self.next_ts()
        msg = self._bot_message({k: v for k, v in p.items() if k != "metadata"}, ts)
        with self._lock:
            self._ephemerals.append(dict(msg, channel=channel, user_to=str(p["user"])))
        return {"message_ts": ts}

    def _chat_get_permalink(self, call: Call) -> dict[str, Any]:
        channel = self._channel_id(call.params.get("channel"))
        ts = str(call.params.get("message_ts") or "")
        if not ts:
            raise SlackError("message_not_found")
        link = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"channel": channel, "permalink": link}

    def _conversations_open(self, call: Call) -> dict[str, Any]:
        p = call.params
        if p.get("channel"):
            return {"channel": {"id": str(p["channel"])}}
        users = p.get("users")
        if isinstance(users, list):
            users = ",".join(users)
        ids = [u.strip() for u in str(users or "").split(",") if u.strip()]
        if not ids:
            raise SlackError("users_list_not_supplied")
        if len(ids) == 1:
            channel: dict[str, Any] = {"id": "D" + ids[0]}
            if _truthy(p.get("return_im")):
                channel.update({"is_im": True, "user": ids[0], "created": 1_700_000_000})
        else:
            channel = {"id": "G" + hashlib.sha1(",".join(sorted(ids)).encode()).hexdigest()[:10]}
        return {"channel": channel, "no_op": True, "already_open": True}

    def _conversations_info(self, call: Call) -> dict[str, Any]:
        channel = self._channel_id(call.params.get("channel"))
        info: dict[str, Any] = {"id": channel, "is_im": channel.startswith("D")}
        if channel.startswith("D"):
            info["user"] = channel[1:]
        else:
            info.update({"name": channel.lower(), "is_channel": True, "is_member": True})
        return {"channel": info}

    def _history_page(self, msgs: list[dict[str, Any]], p: dict[str, Any]) -> dict[str, Any]:
        inclusive = _truthy(p.get("inclusive"))
        latest, oldest = p.get("latest"), p.get("oldest")
        if latest:
            lk = _ts_key(latest)
            msgs = [m for m in msgs if _ts_key(m["ts"]) < lk or (inclusive and m["ts"] == latest)]
        if oldest:
            ok_ = _ts_key(oldest)
            msgs = [m for m in msgs if _ts_key(m["ts"]) > ok_ or (inclusive and m["ts"] == oldest)]
        limit = int(p.get("limit") or 100)
        return {"has_more": len(msgs) > limit, "msgs": msgs, "limit": limit}

    def _conversations_history(self, call: Call) -> dict[str, Any]:
        p = call.params
        channel = self._channel_id(p.get("channel"))
        with self._lock:
            msgs = [
                dict(m)
                for m in self._messages.get(channel, [])
                if not m.get("thread_ts") or m["thread_ts"] == m["ts"] or m.get("reply_broadcast")
            ]
        page = self._history_page(_strip_metadata(msgs, p), p)
        newest_first = list(reversed(page["msgs"]))[: page["limit"]]
        return {
            "messages": newest_first,
            "has_more": page["has_more"],
            "pin_count": 0,
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_replies(self, call: Call) -> dict[str, Any]:
        p = call.params
        channel = self._channel_id(p.get("channel"))
        ts = str(p.get("ts") or "")
        parent = self._find_message(channel, ts)
        with self._lock:
            replies = [
                dict(m)
                for m in self._messages.get(channel, [])
                if m.get("thread_ts") == ts and m["ts"] != ts
            ]
        page = self._history_page(_strip_metadata([dict(parent), *replies], p), p)
        return {
            "messages": page["msgs"][: page["limit"]],
            "has_more": page["has_more"],
            "response_metadata": {"next_cursor": ""},
        }

    def _users_info(self, call: Call) -> dict[str, Any]:
        user = self._user(str(call.params.get("user") or ""))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": json.loads(json.dumps(user))}

    def _users_lookup_by_email(self, call: Call) -> dict[str, Any]:
        email = str(call.params.get("email") or "").strip().lower()
        with self._lock:
            for user in self._users.values():
                if user["profile"]["email"].lower() == email and not user["deleted"]:
                    return {"user": json.loads(json.dumps(user))}
        raise SlackError("users_not_found")

    def _make_view(self, view: Any, *, limit: int, view_id: str | None = None) -> dict[str, Any]:
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments", response_metadata={"messages": ["no view"]})
        problems = _view_problems(view) if self.validate_blocks else []
        if not problems and self.validate_blocks:
            problems = _block_problems(view.get("blocks", []), limit)
        if problems:
            raise SlackError("invalid_arguments", response_metadata={"messages": problems})
        vid = view_id or self._new_id("V")
        return {
            "id": vid,
            "team_id": self.team_id,
            "type": view.get("type"),
            "blocks": _with_block_ids(view.get("blocks", []), vid),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{next(self._ids):08d}",
            "title": view.get("title"),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "external_id": view.get("external_id", ""),
            "root_view_id": vid,
            "previous_view_id": None,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    def _views_open(self, call: Call) -> dict[str, Any]:
        if not call.params.get("trigger_id") and not call.params.get("interactivity_pointer"):
            raise SlackError("invalid_arguments", response_metadata={"messages": ["no trigger_id"]})
        view = self._make_view(call.params.get("view"), limit=100)
        with self._lock:
            self._views[view["id"]] = view
        return {"view": dict(view)}

    def _views_push(self, call: Call) -> dict[str, Any]:
        return self._views_open(call)

    def _views_update(self, call: Call) -> dict[str, Any]:
        p = call.params
        with self._lock:
            old = None
            if p.get("view_id"):
                old = self._views.get(str(p["view_id"]))
            elif p.get("external_id"):
                old = next(
                    (v for v in self._views.values() if v["external_id"] == p["external_id"]),
                    None,
                )
        if old is None:
            raise SlackError("not_found")
        if p.get("hash") and p["hash"] != old["hash"]:
            raise SlackError("hash_conflict")
        view = self._make_view(p.get("view"), limit=100, view_id=old["id"])
        view["root_view_id"] = old["root_view_id"]
        with self._lock:
            self._views[view["id"]] = view
            for uid, hv in self._home_views.items():
                if hv["id"] == view["id"]:
                    self._home_views[uid] = view
        return {"view": dict(view)}

    def _views_publish(self, call: Call) -> dict[str, Any]:
        p = call.params
        user_id = str(p.get("user_id") or "")
        if not user_id:
            raise SlackError("invalid_arguments", response_metadata={"messages": ["no user_id"]})
        view_in = p.get("view")
        if isinstance(view_in, dict) and view_in.get("type") != "home":
            raise SlackError("invalid_arguments", response_metadata={"messages": ["not home"]})
        with self._lock:
            old = self._home_views.get(user_id)
        if old is not None and p.get("hash") and p["hash"] != old["hash"]:
            raise SlackError("hash_conflict")
        view = self._make_view(view_in, limit=100, view_id=old["id"] if old else None)
        with self._lock:
            self._home_views[user_id] = view
            self._views[view["id"]] = view
        return {"view": dict(view)}

    def _apps_connections_open(self, call: Call) -> dict[str, Any]:
        ticket = hashlib.sha1(f"{time.time()}-{next(self._ids)}".encode()).hexdigest()[:16]
        return {"url": f"{self.socket_url}/?ticket={ticket}&app_id={self.app_id}"}

    def _reactions_add(self, call: Call) -> dict[str, Any]:
        return {}

    _builtin: ClassVar[dict[str, Callable[[FakeSlack, Call], dict[str, Any]]]] = {
        "auth.test": _auth_test,
        "chat.postMessage": _chat_post_message,
        "chat.update": _chat_update,
        "chat.delete": _chat_delete,
        "chat.postEphemeral": _chat_post_ephemeral,
        "chat.getPermalink": _chat_get_permalink,
        "conversations.open": _conversations_open,
        "conversations.info": _conversations_info,
        "conversations.history": _conversations_history,
        "conversations.replies": _conversations_replies,
        "users.info": _users_info,
        "users.lookupByEmail": _users_lookup_by_email,
        "views.open": _views_open,
        "views.push": _views_push,
        "views.update": _views_update,
        "views.publish": _views_publish,
        "apps.connections.open": _apps_connections_open,
        "reactions.add": _reactions_add,
    }


# ---------------------------------------------------------------------- Block Kit checks
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})


def _text_problems(obj: Any, where: str, max_len: int, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in TEXT_TYPES:
        return [f"{where}: must be a text object"]
    if plain_only and obj["type"] != "plain_text":
        return [f"{where}: must be plain_text"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{where}: text must be a non-empty string"]
    if len(text) > max_len:
        return [f"{where}: text longer than {max_len} characters"]
    return []


def _element_problems(el: Any, where: str) -> list[str]:
    if not isinstance(el, dict) or not isinstance(el.get("type"), str):
        return [f"{where}: element needs a type"]
    problems: list[str] = []
    if el["type"] == "button":
        problems += _text_problems(el.get("text"), f"{where}.text", 75, plain_only=True)
        if len(str(el.get("value", ""))) > 2000:
            problems.append(f"{where}.value: longer than 2000 characters")
    if len(str(el.get("action_id", ""))) > 255:
        problems.append(f"{where}.action_id: longer than 255 characters")
    return problems


def _block_problems(blocks: Any, limit: int) -> list[str]:
    """A few of Slack's Block Kit rules (enough to catch the usual `invalid_blocks` bugs)."""
    if not isinstance(blocks, list):
        return ["blocks must be a list"]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"more than {limit} blocks")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        where = f"[{i}]"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(f"{where}: block needs a type")
            continue
        bid = block.get("block_id")
        if bid is not None:
            if bid in block_ids:
                problems.append(f"{where}.block_id: duplicate {bid!r}")
            block_ids.add(bid)
        kind = block["type"]
        if kind == "section":
            if "text" not in block and "fields" not in block:
                problems.append(f"{where}: section needs text or fields")
            if "text" in block:
                problems += _text_problems(block["text"], f"{where}.text", 3000)
            fields = block.get("fields", [])
            if len(fields) > 10:
                problems.append(f"{where}.fields: more than 10")
            for j, f in enumerate(fields):
                problems += _text_problems(f, f"{where}.fields[{j}]", 2000)
            if "accessory" in block:
                problems += _element_problems(block["accessory"], f"{where}.accessory")
        elif kind == "header":
            problems += _text_problems(block.get("text"), f"{where}.text", 150, plain_only=True)
        elif kind in ("actions", "context"):
            elements = block.get("elements")
            cap = 25 if kind == "actions" else 10
            if not isinstance(elements, list) or not elements:
                problems.append(f"{where}.elements: must be a non-empty list")
                continue
            if len(elements) > cap:
                problems.append(f"{where}.elements: more than {cap}")
            action_ids: set[str] = set()
            for j, el in enumerate(elements):
                ew = f"{where}.elements[{j}]"
                if kind == "context":
                    if isinstance(el, dict) and el.get("type") in TEXT_TYPES:
                        problems += _text_problems(el, ew, 3000)
                    continue
                problems += _element_problems(el, ew)
                aid = el.get("action_id") if isinstance(el, dict) else None
                if aid is not None:
                    if aid in action_ids:
                        problems.append(f"{ew}.action_id: duplicate {aid!r} in block")
                    action_ids.add(aid)
        elif kind == "input":
            problems += _text_problems(block.get("label"), f"{where}.label", 2000, plain_only=True)
            if not isinstance(block.get("element"), dict):
                problems.append(f"{where}.element: required")
    return problems


def _view_problems(view: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if view.get("type") not in ("modal", "home"):
        problems.append("view.type must be modal or home")
    if view.get("type") == "modal":
        problems += _text_problems(view.get("title"), "view.title", 24, plain_only=True)
        for key in ("submit", "close"):
            if key in view:
                problems += _text_problems(view[key], f"view.{key}", 24, plain_only=True)
        needs_submit = any(
            isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks", [])
        )
        if needs_submit and "submit" not in view:
            problems.append("view.submit: required when the view has input blocks")
    if len(str(view.get("private_metadata", ""))) > 3000:
        problems.append("view.private_metadata: longer than 3000 characters")
    if len(str(view.get("callback_id", ""))) > 255:
        problems.append("view.callback_id: longer than 255 characters")
    return problems


def _with_block_ids(blocks: Any, seed: str) -> Any:
    """Copy of `blocks` where a block without `block_id` gets one, as Slack does."""
    if not isinstance(blocks, list):
        return blocks
    out = []
    for i, block in enumerate(blocks):
        if isinstance(block, dict) and "block_id" not in block:
            digest = hashlib.sha1(f"{seed}:{i}".encode()).hexdigest()[:5]
            block = {**block, "block_id": digest}
        out.append(block)
    return json.loads(json.dumps(out))


def _strip_metadata(msgs: list[dict[str, Any]], params: dict[str, Any]) -> list[dict[str, Any]]:
    """Slack returns message `metadata` in history/replies only with `include_all_metadata`."""
    if _truthy(params.get("include_all_metadata")):
        return msgs
    return [{k: v for k, v in m.items() if k != "metadata"} for m in msgs]


def _refuse_in_event_loop(name: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(
        f"FakeSlack.{name}() blocks the thread and would stall the event loop running here; "
        f"use `await fake.{name}_async(...)` in async code"
    )


def iter_block_elements(blocks: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Every interactive element of a list of blocks, as (block, element) pairs."""
    for block in blocks or []:
        if not isinstance(block, dict):
            continue
        if isinstance(block.get("accessory"), dict):
            yield block, block["accessory"]
        if isinstance(block.get("element"), dict):
            yield block, block["element"]
        if block.get("type") == "actions":
            for el in block.get("elements") or []:
                if isinstance(el, dict):
                    yield block, el
