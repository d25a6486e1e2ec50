"""A Bot-API-compatible server for tests, on 127.0.0.1 — enough of the API for what Lotse calls.

The real python-telegram-bot talks to it over HTTP (`base_url=http://127.0.0.1:PORT/bot`).
Tests play the people: they inject updates (messages, button presses, anything Telegram can
send) and read what the bot sent. It is strict where Telegram is strict (text length, callback
data size, HTML entities, "message is not modified", a query answered twice), and can answer
429 on demand, so the bot's handling of Telegram's rules is tested too.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT_ID = 777000
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Lotse", "username": "lotse_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False}
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "a",
                "blockquote", "tg-spoiler", "span", "tg-emoji"}
_TAG = re.compile(r"<(/?)([a-zA-Z-]+)[^>]*>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass
class Sent:
    """A message as the bot left it (edits applied)."""

    message_id: int
    chat_id: int
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    document: dict[str, Any] | None = None
    edits: int = 0

    def buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]


@dataclass
class FakeState:
    updates: list[dict[str, Any]] = field(default_factory=list)
    next_update_id: int = 1
    messages: dict[tuple[int, int], Sent] = field(default_factory=dict)
    order: list[tuple[int, int]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answered_queries: set[str] = field(default_factory=set)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    left_chats: list[int] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    fail_next: list[tuple[str, ApiError]] = field(default_factory=list)
    consumed_up_to: int = 0
    call_times: list[tuple[str, float]] = field(default_factory=list)
    first_reply: dict[int, float] = field(default_factory=dict)  # chat → first message time


class FakeBotApi:
    """Start with `with FakeBotApi() as api:`; `api.base_url` goes into the bot's settings."""

    def __init__(self, token: str = "123456:TEST-TOKEN") -> None:
        self.token = token
        self.state = FakeState()
        self.lock = threading.Condition()
        self._message_ids = itertools.count(1000)
        self._query_ids = itertools.count(1)
        handler = type("Handler", (_Handler,), {"api": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> FakeBotApi:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.lock.notify_all()
        self.server.shutdown()
        self.server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    # --- the people's side -------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update (an `update_id` is added unless given); return its id."""
        with self.lock:
            if "update_id" not in update:
                update = {"update_id": self.state.next_update_id, **update}
            self.state.next_update_id = max(self.state.next_update_id, update["update_id"] + 1)
            self.state.updates.append(update)
            self.lock.notify_all()
            return int(update["update_id"])

    def send_text(self, chat_id: int, text: str, *, language: str | None = "de",
                  first_name: str = "Test") -> int:
        return self.push({"message": self.message(chat_id, text=text, language=language,
                                                  first_name=first_name)})

    def message(self, chat_id: int, *, language: str | None = "de", first_name: str = "Test",
                chat_type: str = "private", **content: Any) -> dict[str, Any]:
        user = {"id": chat_id, "is_bot": False, "first_name": first_name}
        if language:
            user["language_code"] = language
        chat = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = "A group"
        return {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                "from": user, **content}

    def press(self, chat_id: int, message: Sent, data: str, *, language: str = "de") -> int:
        """A tap on a button of `message` with callback data `data` (forged ones too)."""
        query = {"id": str(next(self._query_ids)),
                 "from": {"id": chat_id, "is_bot": False, "first_name": "Test",
                          "language_code": language},
                 "chat_instance": f"ci{chat_id}", "data": data,
                 "message": {"message_id": message.message_id, "date": int(time.time()),
                             "chat": {"id": chat_id, "type": "private"}, "text": message.text,
                             "from": BOT_USER}}
        return self.push({"callback_query": query})

    def tap(self, chat_id: int, label_part: str, **kwargs: Any) -> int:
        """Tap the button whose label contains `label_part` on the latest keyboard."""
        message = self.latest_keyboard(chat_id)
        button = next((b for b in message.buttons() if label_part in b["text"]), None)
        assert button is not None, f"no button {label_part!r} in {message.buttons()}"
        return self.press(chat_id, message, button["callback_data"], **kwargs)

    # --- reading what the bot did ------------------------------------------------------------

    def sent(self, chat_id: int) -> list[Sent]:
        with self.lock:
            return [self.state.messages[k] for k in self.state.order if k[0] == chat_id]

    def latest_keyboard(self, chat_id: int) -> Sent:
        with_keyboard = [m for m in self.sent(chat_id) if m.buttons()]
        assert with_keyboard, f"chat {chat_id} has no keyboard"
        return with_keyboard[-1]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 15.0) -> Any:
        """Wait until `predicate()` is truthy (re-checked on every API call); return it."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("timed out waiting for the bot")
                self.lock.wait(remaining)

    def wait_text(self, chat_id: int, part: str, *, after: int = 0,
                  timeout: float = 15.0) -> Sent:
        """Wait for a message (or edit) to `chat_id` containing `part`, after index `after`."""
        return self.wait_for(lambda: next((m for m in self.sent(chat_id)[after:]
                                           if part in m.text), None), timeout)

    def wait_consumed(self, update_id: int, timeout: float = 15.0) -> None:
        """Wait until the bot confirmed `update_id` (asked for updates after it)."""
        self.wait_for(lambda: self.state.consumed_up_to > update_id, timeout)

    def calls(self, method: str) -> list[dict[str, Any]]:
        with self.lock:
            return [p for m, p in self.state.calls if m == method]

    def fail(self, method: str, error: ApiError) -> None:
        """Make the next call of `method` fail with `error` (e.g. a 429)."""
        with self.lock:
            self.state.fail_next.append((method.lower(), error))

    # --- the API -------------------------------------------------------------------------------

    def call(self, method: str, params: dict[str, Any]) -> Any:
        name = method.lower()
        with self.lock:
            self.state.calls.append((method, params))
            self.state.call_times.append((method, time.monotonic()))
            self.lock.notify_all()
            for index, (failing, error) in enumerate(self.state.fail_next):
                if failing == name:
                    del self.state.fail_next[index]
                    self.lock.notify_all()
                    raise error
        if name == "getupdates":
            return self._get_updates(params)
        handler = getattr(self, f"_m_{name}", None)
        if handler is None:
            raise ApiError(404, f"Not Found: method {method} is not implemented by the fake")
        with self.lock:
            try:
                return handler(params)
            finally:
                self.lock.notify_all()

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + min(timeout, 2.0)
        with self.lock:
            if offset:
                self.state.updates = [u for u in self.state.updates if u["update_id"] >= offset]
                self.state.consumed_up_to = max(self.state.consumed_up_to, offset)
                self.lock.notify_all()
            while not self.state.updates and time.monotonic() < deadline:
                self.lock.wait(max(deadline - time.monotonic(), 0.01))
            return self.state.updates[:limit]

    def _m_getme(self, _p: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    def _m_deletewebhook(self, _p: dict[str, Any]) -> bool:
        self.state.webhook = {}
        return True

    def _m_setwebhook(self, p: dict[str, Any]) -> bool:
        self.state.webhook = p
        return True

    def _m_getwebhookinfo(self, _p: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.state.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self.state.updates)}

    def _m_setmycommands(self, p: dict[str, Any]) -> bool:
        commands = _json(p.get("commands"))
        if not isinstance(commands, list) or not commands:
            raise ApiError(400, "Bad Request: commands must be a non-empty list")
        self.state.commands[str(p.get("language_code") or "")] = commands
        return True

    def _m_answerinlinequery(self, p: dict[str, Any]) -> bool:
        _json(p.get("results"))
        return True

    def _m_sendchataction(self, _p: dict[str, Any]) -> bool:
        return True

    def _m_leavechat(self, p: dict[str, Any]) -> bool:
        self.state.left_chats.append(int(p["chat_id"]))
        return True

    def _m_answercallbackquery(self, p: dict[str, Any]) -> bool:
        query_id = str(p["callback_query_id"])
        if query_id in self.state.answered_queries:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or "
                           "query ID is invalid")
        if len(str(p.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.state.answered_queries.add(query_id)
        return True

    def _m_sendmessage(self, p: dict[str, Any]) -> dict[str, Any]:
        text = _check_text(p)
        markup = _check_markup(p.get("reply_markup"))
        sent = Sent(next(self._message_ids), int(p["chat_id"]), text, p.get("parse_mode"), markup)
        self._store(sent)
        return self._as_message(sent)

    def _m_senddocument(self, p: dict[str, Any]) -> dict[str, Any]:
        document = p.get("document")
        if not isinstance(document, dict):
            raise ApiError(400, "Bad Request: there is no document in the request")
        caption = str(p.get("caption") or "")
        sent = Sent(next(self._message_ids), int(p["chat_id"]), caption, p.get("parse_mode"),
                    None, document)
        self._store(sent)
        return {**self._as_message(sent), "document": {"file_id": "f1",
                                                       "file_unique_id": "u1",
                                                       "file_name": document["filename"]}}

    def _m_editmessagetext(self, p: dict[str, Any]) -> dict[str, Any]:
        sent = self._find(p)
        text = _check_text(p)
        markup = _check_markup(p.get("reply_markup"))
        if text == sent.text and markup == sent.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                           "content and reply markup are exactly the same")
        sent.text, sent.parse_mode, sent.reply_markup = text, p.get("parse_mode"), markup
        sent.edits += 1
        self._touch(sent)
        return self._as_message(sent)

    def _m_editmessagereplymarkup(self, p: dict[str, Any]) -> dict[str, Any]:
        sent = self._find(p)
        markup = _check_markup(p.get("reply_markup"))
        if markup == sent.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified")
        sent.reply_markup = markup
        sent.edits += 1
        return self._as_message(sent)

    def _m_deletemessage(self, p: dict[str, Any]) -> bool:
        key = (int(p["chat_id"]), int(p["message_id"]))
        if key not in self.state.messages:
            raise ApiError(400, "Bad Request: message to delete not found")
        del self.state.messages[key]
        self.state.order.remove(key)
        return True

    def _store(self, sent: Sent) -> None:
        self.state.first_reply.setdefault(sent.chat_id, time.monotonic())
        key = (sent.chat_id, sent.message_id)
        self.state.messages[key] = sent
        self.state.order.append(key)

    def _touch(self, sent: Sent) -> None:
        """An edited message counts as the newest for `wait_text`."""
        key = (sent.chat_id, sent.message_id)
        self.state.order.remove(key)
        self.state.order.append(key)

    def _find(self, p: dict[str, Any]) -> Sent:
        key = (int(p["chat_id"]), int(p["message_id"]))
        if key not in self.state.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        return self.state.messages[key]

    def _as_message(self, sent: Sent) -> dict[str, Any]:
        message: dict[str, Any] = {"message_id": sent.message_id, "date": int(time.time()),
                                   "chat": {"id": sent.chat_id, "type": "private"},
                                   "from": BOT_USER, "text": sent.text}
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        return message


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON") from None
    return value


def _check_text(p: dict[str, Any]) -> str:
    text = str(p.get("text") or "")
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    visible = text
    if p.get("parse_mode") == "HTML":
        visible = _check_html(text)
    if len(visible) > 4096:
        raise ApiError(400, "Bad Request: message is too long")
    return text


def _check_html(text: str) -> str:
    stack: list[str] = []
    for match in _TAG.finditer(text):
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name not in ALLOWED_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: unsupported start tag "
                           f"\"{name}\"")
        if closing:
            if not stack or stack.pop() != name:
                raise ApiError(400, "Bad Request: can't parse entities: unmatched end tag")
        else:
            stack.append(name)
    if stack:
        raise ApiError(400, "Bad Request: can't parse entities: can't find end tag")
    plain = _TAG.sub("", text)
    if "<" in plain or ">" in plain or "&" in _ENTITY.sub("", plain):
        raise ApiError(400, "Bad Request: can't parse entities: unescaped character")
    return _ENTITY.sub("x", plain)


def _check_markup(raw: Any) -> dict[str, Any] | None:
    markup = _json(raw)
    if markup is None:
        return None
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else None
    if rows is None:
        raise ApiError(400, "Bad Request: unsupported reply markup")
    for row in rows:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if not str(button.get("text") or "").strip():
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline "
                               "keyboard")
    return markup


class _Handler(BaseHTTPRequestHandler):
    api: FakeBotApi
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: Any) -> None:  # quiet
        return

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            return  # the bot went away (killed on purpose in some tests)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", parsed.path)
        if match is None or match.group(1) != self.api.token:
            self._reply(404 if match is None else 401,
                        {"ok": False, "error_code": 404 if match is None else 401,
                         "description": "Not Found" if match is None else "Unauthorized"})
            return
        try:
            params = {**dict(urllib.parse.parse_qsl(parsed.query)), **self._body()}
            result = self.api.call(match.group(2), params)
            self._reply(200, {"ok": True, "result": result})
        except ApiError as error:
            body: dict[str, Any] = {"ok": False, "error_code": error.code,
                                    "description": error.description}
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            self._reply(error.code, body)

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        kind = self.headers.get("Content-Type", "")
        if not raw:
            return {}
        if kind.startswith("application/json"):
            data = json.loads(raw)
            return data if isinstance(data, dict) else {}
        if kind.startswith("multipart/form-data"):
            return _multipart(kind, raw)
        return dict(urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True))

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _multipart(content_type: str, raw: bytes) -> dict[str, Any]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        if filename:
            fields[str(name)] = {"filename": filename, "content": payload}
        else:
            fields[str(name)] = payload.decode("utf-8")
    for key, value in list(fields.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            fields[key] = fields.get(value[len("attach://"):], value)
    return fields
