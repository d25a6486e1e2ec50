"""The inbox pages: case list, case page and its actions, slots, audit log."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.engine.io import N_, Msg
from bot.engine.languages import SUPPORTED
from bot.handoff import booking, cases, ics, slots
from bot.handoff.texts import CANNED
from bot.store.models import AuditEntry, Booking, Case, Counsellor, Office, Slot
from bot.web.app import Page, guarded

PAGE_SIZE = 200


def case_list(page: Page) -> Response:
    language = page.request.query_params.get("language") or None
    status = page.request.query_params.get("status", "open")
    rows = cases.listing(page.db, page.me.account, language=language,
                         status=None if status == "all" else status)
    return page.render("cases.html", cases=rows[:PAGE_SIZE], language=language or "",
                       status_filter=status, languages=SUPPORTED, statuses=cases.STATUSES)


def _case(page: Page) -> Case | None:
    """The case of the URL if this counsellor may see it; locked for the rest of the
    transaction when the page changes it (PostgreSQL; SQLite transactions are serial)."""
    raw = page.request.path_params.get("case_id")
    case = None
    if str(raw).isdigit():
        query = select(Case).where(Case.id == int(str(raw)))
        case = page.db.exec(query.with_for_update() if page.form is not None
                            else query).first()
    if case is None or not cases.can_see(page.me.account, case):
        return None
    return case


def case_page(page: Page) -> Response:
    case = _case(page)
    if case is None:
        return page.forbidden()
    desk = page.inbox.desk
    cases.audit(page.db, page.me.account.username, "case.view", case.id)
    data = cases.payload(desk, case)
    held = page.db.exec(select(Booking, Slot, Office)
                        .join(Slot, col(Slot.id) == col(Booking.slot_id))
                        .join(Office, col(Office.id) == col(Slot.office_id))
                        .where(Booking.case_id == case.id)
                        .order_by(col(Slot.starts_at))).all()
    mine = page.me.account
    free = [s for s in booking.free_slots(page.db, desk, None, page.now)
            if cases.may_manage(mine, s.office_id)]
    suitable = [s for s in free if case.language in booking.languages_of(s)][:10]
    others = [s for s in free if s not in suitable][:10]
    offices = {o.id: o for o in page.db.exec(select(Office))}
    holder = page.db.get(Counsellor, case.counsellor_id) if case.counsellor_id else None
    canned = {key: page.t(msgid) for key, msgid in CANNED.items()}
    return page.render("case.html", case=case, data=data, bookings=held, suitable=suitable,
                       others=others, offices=offices, holder=holder,
                       lines=cases.conversation(page.db, desk, case),
                       notes=cases.notes(page.db, desk, case), canned=canned,
                       reasons=cases.CLOSE_REASONS, now=page.now)


def _back(case: Case, anchor: str = "") -> Response:
    return RedirectResponse(f"/inbox/cases/{case.id}{anchor}", status_code=303)


def claim(page: Page) -> Response:
    case = _case(page)
    if case is None:
        return page.forbidden()
    cases.claim(page.db, page.inbox.desk, case, page.me.account, page.now)
    cases.audit(page.db, page.me.account.username, "case.claim", case.id)
    return _back(case)


def reply(page: Page) -> Response:
    case = _case(page)
    if case is None:
        return page.forbidden()
    desk = page.inbox.desk
    canned = page.value("canned")
    body = page.value("body")[:3500]
    if canned in CANNED:
        body = desk.catalogs.translate(case.language, Msg(CANNED[canned]))
    if body:
        cases.reply(page.db, desk, case, page.me.account, body, page.now)
        cases.audit(page.db, page.me.account.username, "case.reply", case.id)
    return _back(case, "#conversation")


def note(page: Page) -> Response:
    case = _case(page)
    if case is None:
        return page.forbidden()
    body = page.value("body")[:3500]
    if body:
        cases.note(page.db, page.inbox.desk, case, page.me.account, body, page.now)
        cases.audit(page.db, page.me.account.username, "case.note", case.id)
    return _back(case, "#notes")


def close(page: Page) -> Response:
    case = _case(page)
    if case is None:
        return page.forbidden()
    reason = page.value("reason")
    if reason not in cases.CLOSE_REASONS:
        return _back(case)
    cases.close(page.db, page.inbox.desk, case, page.me.account, reason, page.now)
    cases.audit(page.db, page.me.account.username, "case.close", case.id)
    return _back(case)


def book(page: Page) -> Response:
    case = _case(page)
    if case is None:
        return page.forbidden()
    desk = page.inbox.desk
    slot_id = int(page.value("slot_id")) if page.value("slot_id").isdigit() else -1
    chosen = page.db.get(Slot, slot_id)
    if chosen is not None and not cases.may_manage(page.me.account, chosen.office_id):
        return page.forbidden()
    try:
        made = booking.book(page.db, desk, case, slot_id, page.now)
    except booking.BookingError as exc:
        problem = {"SlotTaken": N_("This time is already taken."),
                   "SlotGone": N_("This time can no longer be booked."),
                   "TooMany": N_("The person already has an open appointment.")}
        return page.render("error.html", 409,
                           message=page.t(problem.get(type(exc).__name__, problem["SlotGone"])),
                           back=f"/inbox/cases/{case.id}")
    slot = page.db.get(Slot, made.slot_id)
    assert slot is not None
    booking.confirm(page.db, desk, case, slot, page.now)
    cases.audit(page.db, page.me.account.username, "booking.create", case.id)
    return _back(case, "#booking")


def booking_action(page: Page) -> Response:
    raw = page.request.path_params["booking_id"]
    held = page.db.get(Booking, int(raw)) if str(raw).isdigit() else None
    case = page.db.get(Case, held.case_id) if held else None
    if held is None or case is None or not cases.can_see(page.me.account, case):
        return page.forbidden()
    action = page.value("action")
    if action == "cancel" and held.status == "booked":
        booking.cancel(page.db, page.inbox.desk, held, page.now, by="counsellor")
    elif action in ("attended", "no_show"):
        try:
            booking.mark(page.db, held, action, page.now)
        except booking.BookingError:
            return page.render("error.html", 409, back=f"/inbox/cases/{case.id}",
                               message=page.t(N_("This can only be noted once the "
                                                 "appointment has begun.")))
    cases.audit(page.db, page.me.account.username, f"booking.{action}"[:32], case.id)
    return _back(case, "#booking")


# --- slots -----------------------------------------------------------------------------------

def slot_page(page: Page, error: str = "", status: int = 200) -> Response:
    since = page.now - timedelta(days=1)
    mine = page.me.account
    rows = [s for s in page.db.exec(select(Slot).where(col(Slot.starts_at) >= since)
                                    .order_by(col(Slot.starts_at)).limit(PAGE_SIZE * 4))
            if cases.may_manage(mine, s.office_id)][:PAGE_SIZE]
    booked = {b.slot_id: b.case_id for b in page.db.exec(
        select(Booking).where(Booking.status == "booked"))}
    offices = [o for o in page.db.exec(select(Office).order_by(col(Office.name)))
               if cases.may_manage(mine, o.id)]
    return page.render("slots.html", status, slots=rows, booked=booked,
                       offices={o.id: o for o in offices}, office_list=offices,
                       kinds=booking.KINDS, languages=SUPPORTED, error=error,
                       public_url=page.inbox.desk.settings.public_url.rstrip("/"))


def slot_add(page: Page) -> Response:
    desk = page.inbox.desk
    if not page.value("office_id").isdigit() or \
            not cases.may_manage(page.me.account, int(page.value("office_id"))):
        return page.forbidden()
    try:
        start = datetime.fromisoformat(f"{page.value('date')}T{page.value('time')}")
        count = max(1, min(int(page.value("count") or "1"), 20))
        minutes = int(page.value("minutes") or "60")
        office_id = int(page.value("office_id") or "0")
        for index in range(count):
            slots.add_slot(page.db, office_id, start.replace(tzinfo=desk.zone)
                           + timedelta(minutes=minutes * index), minutes,
                           kind=page.value("kind", "in_person"),
                           languages=",".join(page.values("languages")),
                           interpreter=page.value("interpreter") == "yes",
                           counsellor_id=page.me.account.id)
    except (ValueError, slots.SlotError) as exc:
        page.db.rollback()
        return slot_page(page, page.t(N_("Nothing was added: {reason}"), reason=str(exc)), 400)
    cases.audit(page.db, page.me.account.username, "slot.add")
    return RedirectResponse("/inbox/slots", status_code=303)


def slot_cancel(page: Page) -> Response:
    raw = page.request.path_params["slot_id"]
    slot = page.db.get(Slot, int(raw)) if str(raw).isdigit() else None
    if slot is None or not cases.may_manage(page.me.account, slot.office_id):
        return page.forbidden()
    held = page.db.exec(select(Booking).where(Booking.slot_id == slot.id,
                                              Booking.status == "booked")).first()
    if held is not None:
        booking.cancel(page.db, page.inbox.desk, held, page.now, by="counsellor")
    slots.cancel_slot(page.db, slot)
    cases.audit(page.db, page.me.account.username, "slot.cancel",
                held.case_id if held else None)
    return RedirectResponse("/inbox/slots", status_code=303)


def slot_import(page: Page) -> Response:
    if not page.value("office_id").isdigit() or \
            not cases.may_manage(page.me.account, int(page.value("office_id"))):
        return page.forbidden()
    upload = page.form.get("file") if page.form else None
    if not isinstance(upload, UploadFile):
        return slot_page(page, page.t(N_("Please choose an ICS file.")), 400)
    data = upload.file.read(2_000_000)
    try:
        added, known = slots.import_ics(
            page.db, int(page.value("office_id") or "0"), data, page.inbox.desk.zone,
            kind=page.value("kind", "in_person"),
            languages=",".join(page.values("languages")),
            interpreter=page.value("interpreter") == "yes")
    except (ValueError, ics.IcsError, slots.SlotError) as exc:
        page.db.rollback()
        return slot_page(page, page.t(N_("Import stopped, nothing was added: {reason}"),
                                      reason=str(exc)), 400)
    cases.audit(page.db, page.me.account.username, "slot.import")
    return slot_page(page, page.t(N_("{added} times imported, {known} were there already."),
                                  added=str(added), known=str(known)))


def audit_page(page: Page) -> Response:
    rows = page.db.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc())
                        .limit(PAGE_SIZE)).all()
    return page.render("audit.html", entries=rows)


def routes() -> list[BaseRoute]:
    get, post = ["GET"], ["POST"]
    return [
        Route("/inbox/", guarded(case_list), methods=get),
        Route("/inbox/cases/{case_id}", guarded(case_page), methods=get),
        Route("/inbox/cases/{case_id}/claim", guarded(claim, post=True), methods=post),
        Route("/inbox/cases/{case_id}/reply", guarded(reply, post=True), methods=post),
        Route("/inbox/cases/{case_id}/note", guarded(note, post=True), methods=post),
        Route("/inbox/cases/{case_id}/close", guarded(close, post=True), methods=post),
        Route("/inbox/cases/{case_id}/book", guarded(book, post=True), methods=post),
        Route("/inbox/bookings/{booking_id}", guarded(booking_action, post=True),
              methods=post),
        Route("/inbox/slots", guarded(slot_page), methods=get),
        Route("/inbox/slots", guarded(slot_add, post=True), methods=post),
        Route("/inbox/slots/import", guarded(slot_import, post=True), methods=post),
        Route("/inbox/slots/{slot_id}/cancel", guarded(slot_cancel, post=True), methods=post),
        Route("/inbox/audit", guarded(audit_page, admin=True), methods=get),
    ]
