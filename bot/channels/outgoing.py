"""Outbox senders for Telegram: messages to a person and notices to the counsellors' group.

Registered by the running process (`lotse run`, `lotse worker`), so `bot.handoff` never imports
a channel. A person who blocked the bot is `Undeliverable`; network trouble raises and the
outbox retries later.
"""

from __future__ import annotations

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.channels.render import split
from bot.handoff.outbox import Claimed, Sender, Undeliverable


def person_sender(bot: Bot) -> Sender:
    async def send(event: Claimed) -> None:
        payload = event.payload
        if payload.get("channel") != "telegram":
            raise Undeliverable(str(payload.get("channel")))
        try:
            for piece in split(str(payload["text"])):
                await bot.send_message(int(payload["chat_key"]), piece,
                                       parse_mode=ParseMode.HTML,
                                       disable_web_page_preview=True)
        except Forbidden as exc:
            raise Undeliverable("blocked") from exc
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                raise Undeliverable("chat_not_found") from exc
            raise

    return send


def group_sender(bot: Bot, chat_id: int) -> Sender:
    async def send(event: Claimed) -> None:
        await bot.send_message(chat_id, str(event.payload["text"]),
                               disable_web_page_preview=True)

    return send
