"""`lotse users|offices|slots|cases` and `lotse worker`: the counselling side on the command
line, for operators and admins (DESIGN §6)."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session, col, select

from bot.cli_common import JsonOpt
from bot.cli_common import fail as _fail
from bot.config import Settings
from bot.conversation import Lotse, build
from bot.handoff import accounts, booking, cases, ics, slots
from bot.handoff.hours import format_hours, parse_hours
from bot.store.models import Case, Counsellor, Office, Slot

users_app = typer.Typer(help="Counsellor accounts for the inbox.", no_args_is_help=True)
offices_app = typer.Typer(help="Counselling offices.", no_args_is_help=True)
slots_app = typer.Typer(help="Appointment slots.", no_args_is_help=True)
cases_app = typer.Typer(help="Cases (admins).", no_args_is_help=True)
def _lotse() -> Lotse:
    try:
        return build(Settings())
    except ValueError as exc:
        _fail(f"settings: {exc}")


# --- users -------------------------------------------------------------------------------------

@users_app.command("add")
def users_add(username: str,
              role: Annotated[str, typer.Option(help="counsellor or admin")] = "counsellor",
              office: Annotated[int | None, typer.Option(help="office number")] = None,
              name: Annotated[str, typer.Option(help="display name")] = "",
              password_stdin: Annotated[bool, typer.Option(
                  "--password-stdin", help="read the password from standard input")] = False,
              ) -> None:
    """Create an account. The password is asked for (or read from stdin), never an argument."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else \
        typer.prompt("Passwort", hide_input=True, confirmation_prompt=True)
    lotse = _lotse()
    with lotse.desk.session() as db:
        if office is not None and db.get(Office, office) is None:
            _fail(f"Es gibt kein Büro mit der Nummer {office}.")
        try:
            account = accounts.add(db, username, password, role=role, office_id=office,
                                   display_name=name)
        except accounts.AccountError as exc:
            _fail(str(exc))
        db.commit()
        typer.echo(f"Konto {account.username} ({account.role}) angelegt.")


@users_app.command("list")
def users_list(as_json: JsonOpt = False) -> None:
    """All accounts with role, office and status."""
    with _lotse().desk.session() as db:
        rows = [{"username": c.username, "name": c.display_name, "role": c.role,
                 "office": c.office_id, "active": c.active,
                 "locked": c.locked_until is not None}
                for c in db.exec(select(Counsellor).order_by(col(Counsellor.username)))]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        state = "aktiv" if row["active"] else "deaktiviert"
        typer.echo(f"{row['username']:20} {row['role']:11} Büro {row['office'] or '-':>3}  "
                   f"{state}")


def _account(db: Session, username: str) -> Counsellor:
    account = accounts.by_name(db, username)
    if account is None:
        _fail(f"Kein Konto {username!r}.")
    return account


@users_app.command("deactivate")
def users_deactivate(username: str) -> None:
    """The account can no longer sign in; its sessions end at once."""
    with _lotse().desk.session() as db:
        accounts.deactivate(db, _account(db, username))
        cases.audit(db, "cli", "user.deactivate")
        db.commit()
    typer.echo(f"Konto {username} deaktiviert.")


@users_app.command("reset-password")
def users_reset_password(username: str) -> None:
    """A new random password, to be changed at the next sign-in; unlocks the account."""
    with _lotse().desk.session() as db:
        password = accounts.reset_password(db, _account(db, username))
        cases.audit(db, "cli", "user.reset_password")
        db.commit()
    typer.echo(f"Neues Passwort für {username}: {password}\n"
               "(bei der nächsten Anmeldung zu ändern)")


# --- offices -----------------------------------------------------------------------------------

@offices_app.command("add")
def offices_add(name: str, address: str = "", accessibility: str = "",
                hours: Annotated[str, typer.Option(
                    help="opening hours, e.g. 'Mo-Fr 09:00-16:00; Sa 10:00-12:00'")] = "",
                remote_info: Annotated[str, typer.Option(
                    help="how phone/video appointments work")] = "") -> None:
    """A counselling office (address, accessibility, opening hours)."""
    with _lotse().desk.session() as db:
        try:
            office = slots.add_office(db, name, address=address, accessibility=accessibility,
                                      opening_hours=hours, remote_info=remote_info)
        except ValueError as exc:
            _fail(str(exc))
        db.commit()
        typer.echo(f"Büro {office.id} angelegt: {office.name}")


@offices_app.command("list")
def offices_list() -> None:
    """Offices with opening hours and the address of their calendar feed."""
    lotse = _lotse()
    base = lotse.desk.settings.public_url.rstrip("/")
    with lotse.desk.session() as db:
        for office in db.exec(select(Office).order_by(col(Office.id))):
            typer.echo(f"{office.id:3} {office.name} – {office.address}\n"
                       f"    {format_hours(parse_hours(office.opening_hours)) or '(keine Zeiten)'}"
                       f"\n    {base}/calendar/{office.feed_token}.ics")


# --- slots -------------------------------------------------------------------------------------

@slots_app.command("add")
def slots_add(office: Annotated[int, typer.Option(help="office number")],
              start: Annotated[str, typer.Option(help="'YYYY-MM-DD HH:MM', Berlin time")],
              minutes: int = 60, kind: str = "in_person", languages: str = "de",
              interpreter: bool = False,
              count: Annotated[int, typer.Option(help="slots back to back")] = 1) -> None:
    """Publish appointment slots."""
    lotse = _lotse()
    try:
        first = datetime.fromisoformat(start).replace(tzinfo=lotse.desk.zone)
    except ValueError:
        _fail(f"--start: {start!r} ist keine Zeit im Format 'YYYY-MM-DD HH:MM'.", 2)
    with lotse.desk.session() as db:
        try:
            made = [slots.add_slot(db, office, first + timedelta(minutes=minutes * i), minutes,
                                   kind=kind, languages=languages, interpreter=interpreter)
                    for i in range(max(1, count))]
        except slots.SlotError as exc:
            _fail(str(exc))
        db.commit()
        typer.echo(f"{len(made)} Termin(e) angelegt: " + ", ".join(str(s.id) for s in made))


@slots_app.command("list")
def slots_list(office: int | None = None, free: bool = False, as_json: JsonOpt = False) -> None:
    """Upcoming slots (Berlin time), booked ones with their case number."""
    lotse = _lotse()
    now = lotse.desk.clock()
    with lotse.desk.session() as db:
        free_ids = {s.id for s in booking.free_slots(db, lotse.desk, None, now)}
        query = select(Slot).where(col(Slot.ends_at) >= now).order_by(col(Slot.starts_at))
        if office is not None:
            query = query.where(Slot.office_id == office)
        rows: list[dict[str, Any]] = [{"id": s.id, "office": s.office_id, "kind": s.kind,
                 "starts_at": s.starts_at.astimezone(lotse.desk.zone).isoformat(),
                 "languages": s.languages, "interpreter": s.interpreter,
                 "free": s.id in free_ids, "cancelled": s.cancelled}
                for s in db.exec(query) if not free or s.id in free_ids]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for row in rows:
        state = "abgesagt" if row["cancelled"] else ("frei" if row["free"] else "belegt")
        typer.echo(f"{row['id']:5} {row['starts_at'][:16]} Büro {row['office']} "
                   f"{row['kind']:9} {row['languages']:12} {state}")


@slots_app.command("import-ics")
def slots_import_ics(file: Path, office: Annotated[int, typer.Option(help="office number")],
                     kind: str = "in_person", languages: str = "de",
                     interpreter: bool = False) -> None:
    """Add the events of an ICS file as slots; importing again adds nothing twice."""
    lotse = _lotse()
    try:
        data = file.read_bytes()
    except OSError as exc:
        _fail(f"{file}: {exc.strerror}")
    with lotse.desk.session() as db:
        try:
            added, known = slots.import_ics(db, office, data, lotse.desk.zone, kind=kind,
                                            languages=languages, interpreter=interpreter)
        except (ics.IcsError, slots.SlotError) as exc:
            _fail(f"{file}: {exc} — nichts importiert.")
        db.commit()
    typer.echo(f"{added} Termine importiert, {known} waren schon da.")


# --- cases -------------------------------------------------------------------------------------

@cases_app.command("list")
def cases_list(status: str = "open", language: str | None = None,
               as_json: JsonOpt = False) -> None:
    """Cases by urgency, then age — no personal content."""
    with _lotse().desk.session() as db:
        rows: list[dict[str, Any]] = [
            {"id": c.id, "status": c.status, "language": c.language, "urgent": c.urgent,
                 "priority": c.priority, "reason": c.reason,
                 "created_at": c.created_at.isoformat(), "office": c.office_id}
                for c in cases.listing(db, None, language=language,
                                       status=None if status == "all" else status)]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for row in rows:
        flag = "DRINGEND" if row["urgent"] else row["priority"]
        typer.echo(f"#{row['id']:<5} {flag:9} {row['language']:4} {row['status']:8} "
                   f"{row['reason']:10} {row['created_at'][:16]}")


@cases_app.command("show")
def cases_show(number: int, as_json: JsonOpt = False) -> None:
    """One case with summary, answers, conversation and appointments (written to the audit
    log as a view by `cli`)."""
    lotse = _lotse()
    with lotse.desk.session() as db:
        case = db.get(Case, number)
        if case is None:
            _fail(f"Kein Fall #{number}.")
        data = cases.payload(lotse.desk, case)
        lines = [{"from": line.sender, "at": line.at.isoformat(), "text": line.body}
                 for line in cases.conversation(db, lotse.desk, case)]
        cases.audit(db, "cli", "case.view", case.id)
        db.commit()
        view = {"id": case.id, "status": case.status, "language": case.language,
                "urgent": case.urgent, "priority": case.priority, "reason": case.reason,
                **data, "conversation": lines}
    if as_json:
        typer.echo(json.dumps(view, ensure_ascii=False, indent=2))
        return
    typer.echo(f"Fall #{view['id']} – {view['status']} – {view['language']}"
               f"{' – DRINGEND' if view['urgent'] else ''}\n\n{view['summary_de']}")
    for line in lines:
        typer.echo(f"\n[{line['at'][:16]}] {line['from']}: {line['text']}")


def worker() -> None:
    """Deliver the outbox and run reminders without the bot (until SIGINT/SIGTERM)."""
    from bot.serve import run_worker

    lotse = _lotse()
    asyncio.run(run_worker(lotse, lotse.desk.settings))


def healthcheck() -> None:
    """Exit 0 if this machine's bot answers /healthz (the Docker HEALTHCHECK)."""
    import httpx

    settings = Settings()
    host = "127.0.0.1" if settings.http_host in ("0.0.0.0", "::", "") else settings.http_host
    try:
        response = httpx.get(f"http://{host}:{settings.http_port}/healthz", timeout=4.0)
    except httpx.HTTPError as exc:
        _fail(f"unhealthy: {type(exc).__name__}")
    if response.status_code != 200:
        _fail(f"unhealthy: HTTP {response.status_code}")
    typer.echo("ok")
