"""Who gets what from the inbox: nothing without a valid session, a valid CSRF token, an active
account and the right office — and every case view is audited without content."""

from __future__ import annotations

import re

import httpx
from sqlmodel import select

from bot.handoff import accounts, slots
from bot.store.models import AuditEntry, Case, CaseMessage
from tests.handoff.conftest import PASSWORD, Desk, talk
from tests.web.conftest import Served

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def login(client: httpx.Client, username: str = "berater",
          password: str = PASSWORD) -> httpx.Response:
    form = client.get("/inbox/login")
    token = CSRF.search(form.text)
    assert token is not None
    return client.post("/inbox/login", data={"csrf": token.group(1), "username": username,
                                             "password": password})


def csrf_of(client: httpx.Client, path: str) -> str:
    token = CSRF.search(client.get(path).text)
    assert token is not None
    return token.group(1)


def _case_id(desk: Desk) -> int:
    with desk.lotse.desk.session() as db:
        case_id = db.exec(select(Case)).one().id
        assert case_id is not None
        return case_id


def _messages(desk: Desk) -> int:
    with desk.lotse.desk.session() as db:
        return len(db.exec(select(CaseMessage)).all())


def test_health_check(inbox: Served) -> None:
    response = httpx.get(f"{inbox.url}/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_not_signed_in_gets_nothing(desk: Desk, inbox: Served) -> None:
    talk(desk, "p1")
    case_id = _case_id(desk)
    with httpx.Client(base_url=inbox.url) as client:
        page = client.get(f"/inbox/cases/{case_id}")
        assert page.status_code == 303 and page.headers["location"] == "/inbox/login"
        post = client.post(f"/inbox/cases/{case_id}/reply", data={"body": "hi", "csrf": "x"})
        assert post.status_code == 403 and "Fall" not in post.text
    assert _messages(desk) == 0


def test_forged_csrf_token_changes_nothing(desk: Desk, inbox: Served) -> None:
    talk(desk, "p2")
    case_id = _case_id(desk)
    with httpx.Client(base_url=inbox.url) as client:
        assert login(client).status_code == 303
        real = csrf_of(client, f"/inbox/cases/{case_id}")
        for forged in ("", "forged", real[:-1] + ("A" if real[-1] != "A" else "B")):
            response = client.post(f"/inbox/cases/{case_id}/reply",
                                   data={"body": "Hallo", "csrf": forged})
            assert response.status_code == 403
        assert _messages(desk) == 0
        ok = client.post(f"/inbox/cases/{case_id}/reply", data={"body": "Hallo", "csrf": real})
        assert ok.status_code == 303
    assert _messages(desk) == 1


def test_login_form_needs_its_own_csrf_cookie(inbox: Served) -> None:
    with httpx.Client(base_url=inbox.url) as client:
        response = client.post("/inbox/login", data={"csrf": "guess", "username": "berater",
                                                     "password": PASSWORD})
        assert response.status_code == 403 and "lotse_session" not in response.headers.get(
            "set-cookie", "")


def test_too_many_wrong_passwords_lock_the_account(desk: Desk, inbox: Served) -> None:
    with httpx.Client(base_url=inbox.url) as client:
        for _ in range(desk.lotse.desk.settings.login_max_failures):
            assert login(client, password="wrong password!").status_code == 401
        assert login(client).status_code == 401  # the right password, but locked
        assert client.get("/inbox/").status_code == 303
    desk.clock.advance(minutes=desk.lotse.desk.settings.login_lock_minutes + 1)
    with httpx.Client(base_url=inbox.url) as client:
        assert login(client).status_code == 303


def test_deactivated_account_gets_nothing(desk: Desk, inbox: Served) -> None:
    talk(desk, "p3")
    with httpx.Client(base_url=inbox.url) as client:
        assert login(client).status_code == 303
        assert client.get("/inbox/").status_code == 200
        with desk.lotse.desk.session() as db:
            account = accounts.by_name(db, "berater")
            assert account is not None
            accounts.deactivate(db, account)
            db.commit()
        assert client.get(f"/inbox/cases/{_case_id(desk)}").status_code == 303
        assert login(client).status_code == 401


def test_session_times_out_when_idle(desk: Desk, inbox: Served) -> None:
    with httpx.Client(base_url=inbox.url) as client:
        assert login(client).status_code == 303
        assert client.get("/inbox/").status_code == 200
        desk.clock.advance(minutes=desk.lotse.desk.settings.inbox_session_minutes + 1)
        assert client.get("/inbox/").status_code == 303


def test_counsellor_of_another_office_cannot_read_the_case(desk: Desk, inbox: Served) -> None:
    talk(desk, "p4")
    case_id = _case_id(desk)
    with desk.lotse.desk.session() as db:
        other = slots.add_office(db, "Beratung Nord", opening_hours="Mo 09:00-12:00")
        db.flush()
        accounts.add(db, "nord", PASSWORD, office_id=other.id)
        case = db.get(Case, case_id)
        assert case is not None
        case.office_id = desk.office_id  # assigned to the first office
        db.add(case)
        db.commit()
    with httpx.Client(base_url=inbox.url) as client:
        assert login(client, "nord").status_code == 303
        assert client.get(f"/inbox/cases/{case_id}").status_code == 403
        assert f"Fall #{case_id}" not in client.get("/inbox/").text
    with httpx.Client(base_url=inbox.url) as client:
        assert login(client).status_code == 303
        page = client.get(f"/inbox/cases/{case_id}")
        assert page.status_code == 200 and f"Fall #{case_id}" in page.text
        assert page.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    with desk.lotse.desk.session() as db:
        views = db.exec(select(AuditEntry).where(AuditEntry.action == "case.view")).all()
    assert [(v.actor, v.case_id) for v in views] == [("berater", case_id)]
    assert set(AuditEntry.model_fields) == {"id", "at", "actor", "action", "case_id"}


def test_calendar_feed_needs_the_secret_token(desk: Desk, inbox: Served) -> None:
    desk.add_slot(30)
    with desk.lotse.desk.session() as db:
        from bot.store.models import Office

        office = db.get(Office, desk.office_id)
        assert office is not None
        token = office.feed_token
    feed = httpx.get(f"{inbox.url}/calendar/{token}.ics")
    assert feed.status_code == 200 and "BEGIN:VEVENT" in feed.text
    assert httpx.get(f"{inbox.url}/calendar/wrong.ics").status_code == 404


def test_slots_from_the_form_and_from_an_ics_upload(desk: Desk, inbox: Served) -> None:
    from bot.store.models import Slot

    calendar = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//DE\r\nBEGIN:VEVENT\r\n"
                b"UID:a@x\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Europe/Berlin:"
                b"20261201T100000\r\nDTEND;TZID=Europe/Berlin:20261201T104500\r\n"
                b"SUMMARY:Sprechstunde\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    with httpx.Client(base_url=inbox.url) as client:
        assert login(client).status_code == 303
        token = csrf_of(client, "/inbox/slots")
        form = {"csrf": token, "office_id": str(desk.office_id), "date": "2026-12-02",
                "time": "09:30", "minutes": "30", "count": "3", "kind": "phone",
                "languages": ["fa", "de"]}
        assert client.post("/inbox/slots", data=form).status_code == 303
        bad = client.post("/inbox/slots", data={**form, "languages": ["xx"]})
        assert bad.status_code == 400 and "Unbekannte Sprache" in bad.text
        upload = client.post("/inbox/slots/import", data={
            "csrf": token, "office_id": str(desk.office_id), "kind": "in_person",
            "languages": ["ar"]}, files={"file": ("k.ics", calendar, "text/calendar")})
        assert upload.status_code == 200
        again = client.post("/inbox/slots/import", data={
            "csrf": token, "office_id": str(desk.office_id), "languages": ["ar"]},
            files={"file": ("k.ics", calendar, "text/calendar")})
        assert again.status_code == 200
        forged = client.post("/inbox/slots", data={**form, "csrf": "nope"})
        assert forged.status_code == 403
    with desk.lotse.desk.session() as db:
        rows = db.exec(select(Slot).order_by(Slot.starts_at)).all()  # type: ignore[arg-type]
    assert [(s.kind, s.languages) for s in rows] == [("in_person", "ar")] + [("phone", "fa,de")] * 3
    assert rows[1].starts_at.isoformat() == "2026-12-02T08:30:00+00:00"  # 09:30 in Berlin


def test_the_audit_log_is_for_admins_only(desk: Desk, inbox: Served) -> None:
    with desk.lotse.desk.session() as db:
        accounts.add(db, "chefin", PASSWORD, role="admin")
        db.commit()
    with httpx.Client(base_url=inbox.url) as client:
        assert login(client).status_code == 303
        assert client.get("/inbox/audit").status_code == 403
    with httpx.Client(base_url=inbox.url) as client:
        assert login(client, "chefin").status_code == 303
        page = client.get("/inbox/audit")
        assert page.status_code == 200 and "login" in page.text and "berater" in page.text


def test_slots_of_another_office_are_out_of_reach(desk: Desk, inbox: Served) -> None:
    from bot.store.models import Slot

    theirs = desk.add_slot(30)
    with desk.lotse.desk.session() as db:
        other = slots.add_office(db, "Beratung Süd")
        db.flush()
        accounts.add(db, "sued", PASSWORD, office_id=other.id)
        db.commit()
        other_id = other.id
    with httpx.Client(base_url=inbox.url) as client:
        assert login(client, "sued").status_code == 303
        token = csrf_of(client, "/inbox/slots")
        assert "Beratung Mitte" not in client.get("/inbox/slots").text
        assert client.post(f"/inbox/slots/{theirs}/cancel",
                           data={"csrf": token}).status_code == 403
        form = {"csrf": token, "office_id": str(desk.office_id), "date": "2026-12-02",
                "time": "09:30", "languages": ["de"]}
        assert client.post("/inbox/slots", data=form).status_code == 403
        assert client.post("/inbox/slots", data={**form, "office_id": str(other_id)}
                           ).status_code == 303
    with desk.lotse.desk.session() as db:
        slot = db.get(Slot, theirs)
        assert slot is not None and not slot.cancelled


def test_the_inbox_speaks_the_browsers_language(inbox: Served) -> None:
    german = httpx.get(f"{inbox.url}/inbox/login")
    assert '<html lang="de" dir="ltr">' in german.text and "Anmelden" in german.text
    arabic = httpx.get(f"{inbox.url}/inbox/login",
                       headers={"Accept-Language": "ar-SY,ar;q=0.9,en;q=0.5"})
    assert '<html lang="ar" dir="rtl">' in arabic.text
    assert any("\u0600" <= c <= "\u06ff" for c in arabic.text)
    english = httpx.get(f"{inbox.url}/inbox/login", headers={"Accept-Language": "en-GB"})
    assert "Sign in" in english.text
