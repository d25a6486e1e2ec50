"""Everything that persists: sessions, consent records, handoff requests — encrypted where personal.

Nothing outside this package talks to the database.
"""
