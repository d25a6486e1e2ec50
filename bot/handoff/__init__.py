"""Counsellors' side: cases, relay, booking, reminders and the outbox.

Imports `bot.store` and the pure `bot.engine`, never a channel: messages for a person leave
through the outbox, whose senders the running channel registers (DESIGN §1).
"""
