"""The tables. Personal content is only ever stored as Fernet ciphertext (`*_enc` columns).

Every table that holds something about a person carries `session_id` (a foreign key to the
chat session, deleted with it), so export, erasure and purge can find it from the schema alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, Text, UniqueConstraint, text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _person(nullable: bool = False) -> Column:  # type: ignore[type-arg]
    """The foreign key every table about a person carries: erased with the chat session."""
    return Column(Integer, ForeignKey("chat_session.id", ondelete="CASCADE"),
                  nullable=nullable, index=True)


def _ref(table: str, ondelete: str | None = None, nullable: bool = True) -> Column:  # type: ignore[type-arg]
    return Column(Integer, ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable,
                  index=True)


def _when(nullable: bool = True, index: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(UtcDateTime(), nullable=nullable, index=index)


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


class ProcessedUpdate(SQLModel, table=True):
    """Telegram update ids already applied: a repeated update is ignored (at most once).

    Holds no personal data (no chat id), so erasure leaves it; the purge drops old rows.
    """

    __tablename__ = "processed_update"

    update_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    received_at: datetime = Field(default_factory=utcnow, index=True)


# --- counselling: offices, accounts, cases, bookings, audit, outbox (issue 5) --------------------

class Office(SQLModel, table=True):
    """A counselling office: where appointments happen and whose counsellors see its cases."""

    __tablename__ = "office"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    address: str = Field(default="", max_length=300)
    accessibility: str = Field(default="", max_length=500)
    opening_hours: str = Field(default="", max_length=300)
    remote_info: str = Field(default="", max_length=300)  # how phone/video appointments work
    feed_token: str = Field(max_length=64, unique=True)  # secret part of the ICS feed URL
    active: bool = True


class Counsellor(SQLModel, table=True):
    """A counsellor's or admin's account for the inbox (staff data, nothing about a person)."""

    __tablename__ = "counsellor"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(default="", max_length=120)
    password_hash: str = Field(max_length=256)
    role: str = Field(default="counsellor", max_length=16)  # counsellor | admin
    office_id: int | None = Field(default=None, sa_column=_ref("office"))
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=_when())
    must_change_password: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when(False))


class WebSession(SQLModel, table=True):
    """A signed-in browser: only a hash of the cookie is stored, with its CSRF token."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    counsellor_id: int = Field(sa_column=_ref("counsellor", "CASCADE", nullable=False))
    csrf: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when(False))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=_when(False))


class Case(SQLModel, table=True):
    """One person's request for counselling; what they told us is in `payload_enc`.

    Status: new → claimed → waiting (for the person) / booked → closed; reopened on a new
    request. `relay`: the person's messages go to the counsellor instead of the bot.
    """

    __tablename__ = "case_file"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(sa_column=_person())
    office_id: int | None = Field(default=None, sa_column=_ref("office"))
    counsellor_id: int | None = Field(default=None, sa_column=_ref("counsellor", "SET NULL"))
    status: str = Field(default="new", max_length=16, index=True)
    close_reason: str | None = Field(default=None, max_length=32)
    reason: str = Field(max_length=16)
    language: str = Field(max_length=8)
    interpreter: bool = False
    urgent: bool = False
    priority: str = Field(default="normal", max_length=8)
    source: str | None = Field(default=None, max_length=64)
    payload_enc: str = Field(sa_column=Column(Text, nullable=False))
    relay: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when(False, index=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_when(False))
    notified_at: datetime | None = Field(default=None, sa_column=_when())


class CaseMessage(SQLModel, table=True):
    """One message of the case conversation (person ⇄ counselling service), encrypted."""

    __tablename__ = "case_message"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column=_ref("case_file", "CASCADE", nullable=False))
    session_id: int = Field(sa_column=_person())
    sender: str = Field(max_length=16)  # person | counsellor | bot
    counsellor_id: int | None = Field(default=None, sa_column=_ref("counsellor", "SET NULL"))
    body_enc: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when(False))


class CaseNote(SQLModel, table=True):
    """A counsellor's internal note on a case, encrypted (the person sees it in /mydata)."""

    __tablename__ = "case_note"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column=_ref("case_file", "CASCADE", nullable=False))
    session_id: int = Field(sa_column=_person())
    counsellor_id: int | None = Field(default=None, sa_column=_ref("counsellor", "SET NULL"))
    body_enc: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when(False))


class Slot(SQLModel, table=True):
    """A time a counsellor offers: office, kind, languages (or a booked interpreter)."""

    __tablename__ = "slot"
    __table_args__ = (UniqueConstraint("office_id", "uid", name="uq_slot_office_uid"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(sa_column=_ref("office", nullable=False))
    kind: str = Field(default="in_person", max_length=16)  # in_person | phone | video
    starts_at: datetime = Field(sa_column=_when(False, index=True))
    ends_at: datetime = Field(sa_column=_when(False))
    languages: str = Field(default="de", max_length=120)  # comma-separated codes
    interpreter: bool = False
    counsellor_id: int | None = Field(default=None, sa_column=_ref("counsellor", "SET NULL"))
    uid: str = Field(max_length=200)  # stable id (ICS UID) so an import never duplicates
    cancelled: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when(False))


class Booking(SQLModel, table=True):
    """A person's appointment in a slot. At most one *booked* row per slot: the partial unique
    index makes double booking impossible, whatever the number of processes."""

    __tablename__ = "booking"
    __table_args__ = (Index("uq_booking_slot_booked", "slot_id", unique=True,
                            sqlite_where=text("status = 'booked'"),
                            postgresql_where=text("status = 'booked'")),)

    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(sa_column=_ref("slot", nullable=False))
    case_id: int = Field(sa_column=_ref("case_file", "CASCADE", nullable=False))
    session_id: int = Field(sa_column=_person())
    status: str = Field(default="booked", max_length=16)  # booked|cancelled|no_show|attended
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when(False))
    cancelled_at: datetime | None = Field(default=None, sa_column=_when())
    reminded_24h_at: datetime | None = Field(default=None, sa_column=_when())
    reminded_2h_at: datetime | None = Field(default=None, sa_column=_when())


class AuditEntry(SQLModel, table=True):
    """Who did what to which case, when — never any content (R19)."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_when(False, index=True))
    actor: str = Field(max_length=64)
    action: str = Field(max_length=32)
    case_id: int | None = Field(default=None, index=True)


class OutboxEvent(SQLModel, table=True):
    """Something to send to another system or to the person, written in the same transaction
    as the change it reports; a worker delivers it (at least once, same `key` on a repeat)."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)  # the idempotency key
    destination: str = Field(max_length=16)  # person | group | webhook
    kind: str = Field(max_length=32)
    session_id: int | None = Field(default=None, sa_column=_person(nullable=True))
    payload_enc: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when(False))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=_when(False, index=True))
    locked_until: datetime | None = Field(default=None, sa_column=_when())
    delivered_at: datetime | None = Field(default=None, sa_column=_when(index=True))
    last_error: str | None = Field(default=None, max_length=64)
