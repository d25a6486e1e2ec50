"""Sessions, consent records and handoff requests.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_key", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("node", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Text(), nullable=False),
        sa.Column("answers_enc", sa.Text(), nullable=True),
        sa.Column("consent_version", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("channel", "chat_key", name="uq_chat_session_chat"),
    )
    op.create_index("ix_chat_session_updated_at", "chat_session", ["updated_at"])
    op.create_table(
        "consent_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.Integer(),
                  sa.ForeignKey("chat_session.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text_version", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_consent_record_session_id", "consent_record", ["session_id"])
    op.create_table(
        "handoff_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.Integer(),
                  sa.ForeignKey("chat_session.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payload_enc", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_handoff_request_session_id", "handoff_request", ["session_id"])
    op.create_index("ix_handoff_request_created_at", "handoff_request", ["created_at"])


def downgrade() -> None:
    op.drop_table("handoff_request")
    op.drop_table("consent_record")
    op.drop_index("ix_chat_session_updated_at", table_name="chat_session")
    op.drop_table("chat_session")
