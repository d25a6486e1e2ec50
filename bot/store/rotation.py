"""`lotse keys rotate`: re-encrypt every encrypted column under the newest key."""

from __future__ import annotations

from sqlalchemy import Table, select, update
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot.store import models  # noqa: F401  (the tables must be known to the metadata)
from bot.store.crypto import Vault


def encrypted_columns() -> list[tuple[Table, str]]:
    """Every `*_enc` column of every table: found from the schema, so new tables join in."""
    return [(table, column.name) for table in SQLModel.metadata.sorted_tables
            for column in table.columns if column.name.endswith("_enc")]


def rotate(engine: Engine, vault: Vault) -> int:
    count = 0
    with engine.begin() as connection:
        for table, name in encrypted_columns():
            key = next(iter(table.primary_key.columns))
            column = table.c[name]
            for row_id, token in connection.execute(select(key, column).where(column.is_not(None))):
                connection.execute(update(table).where(key == row_id)
                                   .values({name: vault.rotate(token)}))
                count += 1
    return count
