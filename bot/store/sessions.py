"""Load and save a chat's conversation state, with optimistic concurrency.

`save` succeeds only if the row still has the version that was loaded; otherwise another
process (or replica) applied a turn in between and `StaleSession` tells the caller to reload
and run the turn again. Two writers can never both apply a turn on the same version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.engine.state import State
from bot.store.crypto import Vault
from bot.store.models import Case, ChatSession, ConsentRecord, ProcessedUpdate, utcnow


class StaleSession(RuntimeError):
    """The session changed since it was loaded."""


@dataclass(frozen=True)
class Loaded:
    state: State
    row_id: int | None
    version: int  # 0 when the chat has no row yet


def load(db: Session, vault: Vault, channel: str, chat_key: str, language: str) -> Loaded:
    """The chat's state, or a fresh one in `language` when the chat is new."""
    row = db.exec(select(ChatSession).where(ChatSession.channel == channel,
                                            ChatSession.chat_key == chat_key)).first()
    if row is None:
        return Loaded(State(language=language), None, 0)
    try:
        position = json.loads(row.position or "{}")
    except ValueError:
        position = {}
    answers: dict[str, Any] = vault.decrypt(row.answers_enc) if row.answers_enc else {}
    position.update(language=row.language, node=row.node, consent=row.consent_version)
    return Loaded(State.restore(position, answers), row.id, row.version)


def save(db: Session, vault: Vault, channel: str, chat_key: str, loaded: Loaded,
         state: State) -> int:
    """Write `state` if nobody else did since `loaded`; return the row id."""
    position = state.position()
    for key in ("language", "node", "consent"):
        position.pop(key)
    values: dict[str, Any] = {
        "language": state.language, "node": state.node,
        "position": json.dumps(position, ensure_ascii=False),
        # No plaintext answer is ever written: answers only as ciphertext, and only after consent.
        "answers_enc": vault.encrypt(dict(state.answers)) if state.answers else None,
        "consent_version": state.consent, "updated_at": utcnow(),
    }
    if loaded.row_id is None:
        row = ChatSession(channel=channel, chat_key=chat_key, version=1, **values)
        db.add(row)
        try:
            db.flush()
        except IntegrityError as exc:
            raise StaleSession(chat_key) from exc
        assert row.id is not None
        return row.id
    result = db.execute(update(ChatSession)
                        .where(col(ChatSession.id) == loaded.row_id,
                               col(ChatSession.version) == loaded.version)
                        .values(version=loaded.version + 1, **values))
    if getattr(result, "rowcount", 0) != 1:
        raise StaleSession(chat_key)
    return loaded.row_id


def claim_update(db: Session, update_id: int) -> bool:
    """Mark a Telegram update as applied in this transaction; False if it already was."""
    if db.get(ProcessedUpdate, update_id) is not None:
        return False
    db.add(ProcessedUpdate(update_id=update_id))
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        return False
    return True


def record_consent(db: Session, session_id: int, version: str, language: str) -> None:
    db.add(ConsentRecord(session_id=session_id, text_version=version, language=language))


def withdraw_consent(db: Session, vault: Vault, session_id: int) -> None:
    """Date the consent records and erase the answers from every case (R4)."""
    for record in db.exec(select(ConsentRecord).where(ConsentRecord.session_id == session_id,
                                                      col(ConsentRecord.withdrawn_at).is_(None))):
        record.withdrawn_at = utcnow()
        db.add(record)
    for case in db.exec(select(Case).where(Case.session_id == session_id)):
        payload = vault.decrypt(case.payload_enc)
        payload.update(answers={}, pathways=[], summary_de="Einwilligung widerrufen; "
                       "Angaben gelöscht.")
        case.payload_enc = vault.encrypt(payload)
        db.add(case)
