"""The bot on Telegram (python-telegram-bot 22): updates in, engine turns, messages out.

Flow state lives only in our store — no ConversationHandler, no PTB persistence, no in-memory
callback data — so a restart or a second process loses nothing. Updates of one chat are handled
one at a time; different chats in parallel. Nothing a person writes is logged: log lines carry an
event name, a node id and a keyed pseudonym of the chat.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultsButton,
    InputFile,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseUpdateProcessor,
    ContextTypes,
    TypeHandler,
)

from bot.channels import tokens
from bot.channels.flood import FloodGuard
from bot.channels.mydata import summary
from bot.channels.render import Message, render, split
from bot.config import Settings
from bot.conversation import Lotse, Reply
from bot.engine.io import (
    N_,
    Back,
    ChangeLanguage,
    Delete,
    Help,
    Menu,
    Msg,
    Press,
    Privacy,
    Start,
    Text,
    Withdraw,
)
from bot.engine.languages import SUPPORTED
from bot.engine.runtime import OUTDATED
from bot.handoff.chat import ShowAppointment, TurnEvent
from bot.i18n import Catalogs, negotiate

logger = logging.getLogger(__name__)
CHANNEL = "telegram"
MAX_INPUT = 2000
TYPING_AFTER = 0.4  # seconds a turn may take before "typing…" is shown
T = TypeVar("T")

COMMANDS: dict[str, Callable[[], TurnEvent]] = {
    "menu": Menu, "back": Back, "language": ChangeLanguage, "help": Help, "privacy": Privacy,
    "delete": Delete, "stop": Withdraw, "appointment": ShowAppointment,
}
COMMAND_HELP: dict[str, Msg] = {
    "start": Msg(N_("Start again")), "menu": Msg(N_("Main menu")),
    "back": Msg(N_("One step back")), "language": Msg(N_("Change language")),
    "help": Msg(N_("What Lotse can do")), "privacy": Msg(N_("Privacy information")),
    "appointment": Msg(N_("My appointment: book, cancel, change")),
    "mydata": Msg(N_("What is stored about me")),
    "stop": Msg(N_("Withdraw consent, delete my answers")),
    "delete": Msg(N_("Delete everything about me")),
}
NOT_TEXT = Msg(N_("I can only read text messages. Please do not send documents, photos or voice "
                  "messages here: this chat is not end-to-end encrypted. Bring your papers to "
                  "the counselling appointment instead. Nothing you sent was stored."))
EDITED = Msg(N_("I do not read edited messages. Please send your answer as a new message."))
SLOW_DOWN = Msg(N_("You are sending many messages very quickly. Please wait a moment, then "
                   "write again."))
SORRY = Msg(N_("Sorry, something went wrong on our side. Please try again, or write /menu."))
INLINE = Msg(N_("Open the chat with Lotse"))
MYDATA_EMPTY = Msg(N_("Lotse stores nothing about you at the moment."))
_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_COMMAND = re.compile(r"^/([A-Za-z_]+)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)


class ChatSerial(BaseUpdateProcessor):
    """Updates of one chat one after another; different chats concurrently."""

    def __init__(self, max_concurrent_updates: int = 32) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}

    async def do_process_update(self, update: object,
                                coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        key = chat.id if chat is not None else 0
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            await coroutine
        if not lock.locked() and len(self._locks) > 10_000:
            self._locks.pop(key, None)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def parse_payload(payload: str | None) -> tuple[str | None, str | None]:
    """A deep-link payload `LANG`, `LANG-SOURCE` or `SOURCE` → (language, campaign source)."""
    if not payload or not _PAYLOAD.match(payload):
        return None, None
    head, _, rest = payload.partition("-")
    if head in SUPPORTED:
        return head, rest or None
    return None, payload


class TelegramChannel:
    """Turns Telegram updates into engine events and engine outputs into messages."""

    def __init__(self, lotse: Lotse, catalogs: Catalogs, settings: Settings,
                 pseudonym_key: bytes) -> None:
        self.lotse, self.catalogs, self.settings = lotse, catalogs, settings
        self.key = pseudonym_key
        self.flood = FloodGuard(limit=settings.flood_limit)

    def application(self) -> Application[Any, Any, Any, Any, Any, Any]:
        assert self.settings.telegram_token is not None
        app = (Application.builder()
               .token(self.settings.telegram_token.get_secret_value())
               .base_url(self.settings.telegram_base_url)
               .rate_limiter(AIORateLimiter(overall_max_rate=self.settings.telegram_max_rate,
                                            max_retries=3))
               .concurrent_updates(ChatSerial())
               .build())
        app.add_handler(TypeHandler(Update, self.on_update))
        app.add_error_handler(self.on_error)
        return app

    # --- start-up ----------------------------------------------------------------------------

    async def register_commands(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """The command list in every language Telegram accepts a code for (two letters)."""
        for language in (None, *(lang for lang in SUPPORTED if len(lang) == 2)):
            commands = [BotCommand(name, self.catalogs.translate(language or "en", text)[:256])
                        for name, text in COMMAND_HELP.items()]
            await _retrying(_set_commands(app, commands, language))

    # --- updates -----------------------------------------------------------------------------

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.inline_query is not None:
            await self.on_inline(update)
            return
        chat = update.effective_chat
        if chat is None:
            return
        if chat.type != ChatType.PRIVATE:
            await self.on_group(update, context)
            return
        user = update.effective_user
        language = negotiate(user.language_code if user else None)
        who = tokens.pseudonym(self.key, str(chat.id))
        if not self.flood.allow(chat.id):
            if self.flood.should_warn(chat.id):
                await self.send_plain(context, chat.id, self.catalogs.translate(language,
                                                                                  SLOW_DOWN))
            logger.info("update_dropped reason=flood chat=%s", who)
            return
        if update.callback_query is not None:
            await self.on_press(update, context, language)
            return
        message = update.message
        if message is None:
            if update.edited_message is not None:
                await self.send_plain(context, chat.id, self.catalogs.translate(language, EDITED))
            return
        if message.text is None:
            logger.info("update kind=not_text chat=%s", who)
            await self.send_plain(context, chat.id, self.catalogs.translate(language, NOT_TEXT))
            return
        await self.on_text(update, context, message.text, language)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str,
                      language: str) -> None:
        chat_id = update.effective_chat.id  # type: ignore[union-attr]
        match = _COMMAND.match(text.strip())
        event: TurnEvent
        if match and match.group(1).lower() == "mydata":
            await self.on_mydata(context, chat_id, language)
            return
        if match and match.group(1).lower() == "start":
            lang, source = parse_payload((match.group(2) or "").strip())
            event = Start(language=lang or language, source=source)
        elif match and match.group(1).lower() in COMMANDS:
            event = COMMANDS[match.group(1).lower()]()
        else:
            event = Text(text[:MAX_INPUT])
        # "typing…" only when a turn is slow: a fast answer needs no extra call.
        typing = asyncio.create_task(self.typing_after(context, chat_id, TYPING_AFTER))
        try:
            reply = await self.turn(chat_id, event, language, update.update_id)
        finally:
            typing.cancel()
        await self.deliver(context, chat_id, reply)

    async def typing_after(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int,
                           delay: float) -> None:
        await asyncio.sleep(delay)
        await _quietly(context.bot.send_chat_action(chat_id, ChatAction.TYPING))

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE,
                       language: str) -> None:
        query = update.callback_query
        assert query is not None and update.effective_chat is not None
        chat_id = update.effective_chat.id
        verified = tokens.verify(self.key, str(chat_id), query.data or "")
        reply: Reply | None = None
        if verified is not None:
            version, button = verified
            reply = await self.turn(chat_id, Press(button), language, update.update_id, version)
        if reply is None or reply.outdated:
            lang = reply.language if reply else language
            await _quietly(query.answer(self.catalogs.translate(lang, OUTDATED)[:200],
                                        show_alert=False))
            logger.info("press_outdated chat=%s", tokens.pseudonym(self.key, str(chat_id)))
            return
        await _quietly(query.answer())
        if reply.duplicate:
            return
        if query.message is not None and getattr(query.message, "reply_markup", None):
            await _quietly(context.bot.edit_message_reply_markup(
                chat_id, query.message.message_id, reply_markup=None))
        await self.deliver(context, chat_id, reply)

    async def turn(self, chat_id: int, event: TurnEvent, language: str, update_id: int,
                   press_version: int | None = None) -> Reply:
        reply = await asyncio.to_thread(self.lotse.turn, CHANNEL, str(chat_id), event, language,
                                        update_id=update_id, press_version=press_version)
        logger.info("update event=%s chat=%s duplicate=%s", type(event).__name__,
                    tokens.pseudonym(self.key, str(chat_id)), reply.duplicate)
        return reply

    async def deliver(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int,
                      reply: Reply) -> None:
        for message in render(reply.outputs, reply.language, self.catalogs):
            await self.send(context, chat_id, message, reply.version)

    async def send(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, message: Message,
                   version: int) -> None:
        markup = None
        if message.keyboard:
            markup = InlineKeyboardMarkup([
                [InlineKeyboardButton(label, callback_data=tokens.sign(
                    self.key, str(chat_id), version, button)) for label, button in row]
                for row in message.keyboard])
        await _retrying(lambda: context.bot.send_message(
            chat_id, message.text, parse_mode=ParseMode.HTML, reply_markup=markup,
            disable_web_page_preview=True))

    async def send_plain(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int,
                         text: str) -> None:
        await _retrying(lambda: context.bot.send_message(chat_id, text))

    # --- data rights, groups, inline ---------------------------------------------------------

    async def on_mydata(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int,
                        language: str) -> None:
        data = await asyncio.to_thread(self.lotse.export, CHANNEL, str(chat_id))
        if not data:
            await self.send_plain(context, chat_id, self.catalogs.translate(language,
                                                                              MYDATA_EMPTY))
            return
        language = str(data["chat"]["language"])
        text = summary(data, self.lotse.flows, self.catalogs, language)
        for piece in render_plain(text):
            await self.send(context, chat_id, Message(piece), 0)
        document = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        await _retrying(lambda: context.bot.send_document(
            chat_id, InputFile(document, filename="lotse-my-data.json")))
        logger.info("mydata_sent chat=%s", tokens.pseudonym(self.key, str(chat_id)))

    async def on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        assert chat is not None
        if self.settings.counsellor_chat_id is not None and \
                chat.id == self.settings.counsellor_chat_id:
            return
        logger.info("left_chat type=%s", chat.type)
        await _quietly(context.bot.leave_chat(chat.id))

    async def on_inline(self, update: Update) -> None:
        query = update.inline_query
        assert query is not None
        language = negotiate(query.from_user.language_code if query.from_user else None)
        button = InlineQueryResultsButton(self.catalogs.translate(language, INLINE)[:64],
                                          start_parameter=language)
        await _quietly(query.answer([], cache_time=3600, is_personal=False, button=button))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the update id and the kind of error — never the update itself — and apologise."""
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        logger.error("update_failed update_id=%s error=%s", update_id,
                     type(error).__name__ if error else None)
        if isinstance(update, Update) and update.effective_chat is not None and \
                update.effective_chat.type == ChatType.PRIVATE:
            user = update.effective_user
            language = negotiate(user.language_code if user else None)
            await _quietly(self.send_plain(context, update.effective_chat.id,
                                           self.catalogs.translate(language, SORRY)))


def render_plain(text: str) -> list[str]:
    return split(html.escape(text))


def _set_commands(app: Application[Any, Any, Any, Any, Any, Any], commands: list[BotCommand],
                  language: str | None) -> Callable[[], Awaitable[bool]]:
    return lambda: app.bot.set_my_commands(commands, language_code=language)


async def _retrying(call: Callable[[], Awaitable[T]], attempts: int = 4) -> T | None:
    """Call Telegram; on network trouble wait and try again (0.5 s, 1 s, 2 s)."""
    for attempt in range(attempts):
        try:
            return await call()
        except RetryAfter as exc:
            delay = exc.retry_after
            await asyncio.sleep(delay.total_seconds() if hasattr(delay, "total_seconds")
                                else float(delay))
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, BadRequest) or attempt == attempts - 1:
                raise
            await asyncio.sleep(0.5 * 2 ** attempt)
    return None


async def _quietly(call: Awaitable[Any]) -> None:
    """Best effort (typing indicators, answering a callback): never fail the turn on it."""
    try:
        await call
    except (BadRequest, Forbidden, TimedOut, NetworkError) as exc:
        logger.info("best_effort_failed error=%s", type(exc).__name__)
