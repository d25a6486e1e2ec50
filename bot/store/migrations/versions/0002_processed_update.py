"""Processed Telegram update ids, for at-most-once handling.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processed_update",
        sa.Column("update_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_processed_update_received_at", "processed_update", ["received_at"])


def downgrade() -> None:
    op.drop_table("processed_update")
