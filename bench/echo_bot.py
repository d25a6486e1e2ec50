"""A bare python-telegram-bot echo bot: the baseline for bench/telegram.py."""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message and update.message.text:
        await update.message.reply_text(update.message.text)


def main() -> None:
    token, base_url = sys.argv[1], sys.argv[2]
    app = (Application.builder().token(token).base_url(base_url).concurrent_updates(32)
           .build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
