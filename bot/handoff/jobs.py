"""Periodic work driven by the database: reminders and repeated urgent notices.

Each pass is one transaction and idempotent (the rows record what was already sent), so any
number of processes may run it and a restart loses nothing.
"""

from __future__ import annotations

import logging

from bot.handoff import booking, cases
from bot.handoff.desk import Desk

logger = logging.getLogger(__name__)


def tick(desk: Desk) -> tuple[int, int]:
    """Queue due reminders and re-notify unclaimed urgent cases; (reminders, notices)."""
    now = desk.clock()
    with desk.session() as db:
        reminders = booking.send_reminders(db, desk, now)
        notices = cases.unclaimed_urgent(db, desk, now)
        db.commit()
    if reminders or notices:
        desk.notify()
        logger.info("jobs reminders=%d urgent_notices=%d", reminders, notices)
    return reminders, notices
