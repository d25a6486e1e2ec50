"""The tables. Personal content is only ever stored as Fernet ciphertext (`*_enc` columns).

Every table that holds something about a person carries `session_id` (a foreign key to the
chat session, deleted with it), so export, erasure and purge can find it from the schema alone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


_version = Column("version", Integer, nullable=False, default=1)


class ChatSession(SQLModel, table=True):
    """One row per chat: language, position in the flows, encrypted answers, a version."""

    __tablename__ = "chat_session"
    __table_args__ = (UniqueConstraint("channel", "chat_key", name="uq_chat_session_chat"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    chat_key: str = Field(max_length=64)
    language: str = Field(max_length=8)
    node: str = Field(max_length=64, default="")
    position: str = Field(sa_column=Column(Text, nullable=False, default="{}"))
    answers_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    consent_version: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)
    version: int = Field(default=1, sa_column=_version)


class ConsentRecord(SQLModel, table=True):
    """Proof of consent (GDPR Art. 7(1)): which text version, in which language, when (UTC)."""

    __tablename__ = "consent_record"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=Column(Integer, ForeignKey("chat_session.id",
                                                                 ondelete="CASCADE"),
                                             nullable=False, index=True))
    text_version: str = Field(max_length=16)
    language: str = Field(max_length=8)
    given_at: datetime = Field(default_factory=utcnow)
    withdrawn_at: datetime | None = None


class HandoffRequest(SQLModel, table=True):
    """A request to be handed to a counsellor; what the person told us is in `payload_enc`."""

    __tablename__ = "handoff_request"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=Column(Integer, ForeignKey("chat_session.id",
                                                                 ondelete="CASCADE"),
                                             nullable=False, index=True))
    reason: str = Field(max_length=16)
    language: str = Field(max_length=8)
    urgent: bool = False
    priority: str = Field(max_length=8, default="normal")
    status: str = Field(max_length=16, default="new")
    payload_enc: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class ProcessedUpdate(SQLModel, table=True):
    """Telegram update ids already applied: a repeated update is ignored (at most once).

    Holds no personal data (no chat id), so erasure leaves it; the purge drops old rows.
    """

    __tablename__ = "processed_update"

    update_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    received_at: datetime = Field(default_factory=utcnow, index=True)
