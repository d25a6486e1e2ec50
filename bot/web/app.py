"""The ASGI app: `/healthz`, the counsellors' inbox under `/inbox`, calendar feeds under
`/calendar`. Server-rendered HTML, no front-end build; works on a phone.

Every page runs in one database transaction in a worker thread: resume the browser session,
check the CSRF token on every POST, run the page, commit. Pages never see another office's
case (R19) and every view of a case is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from babel import negotiate_locale
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import text
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.engine.io import N_, Msg
from bot.engine.languages import SOURCE, SUPPORTED
from bot.handoff import accounts
from bot.handoff.cases import NotAllowed, audit
from bot.handoff.desk import Desk
from bot.handoff.slots import feed
from bot.i18n import direction
from bot.store.models import Office
from bot.web import filters
from bot.web.security import Cookies, harden, new_token, same

HERE = Path(__file__).parent


@dataclass
class Inbox:
    desk: Desk
    cookies: Cookies
    jinja: Environment


@dataclass
class Page:
    """What a page handler gets: the transaction, the signed-in counsellor and the form."""

    db: Session
    inbox: Inbox
    me: accounts.SignedIn
    request: Request
    form: FormData | None
    now: datetime

    @property
    def lang(self) -> str:
        return language_of(self.request)

    def t(self, msgid: str, **params: str) -> str:
        return self.inbox.desk.catalogs.translate(self.lang, Msg(msgid, params))

    def render(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return render(self.inbox, name, status, lang=self.lang, me=self.me.account,
                      csrf=self.me.csrf, path=self.request.url.path, **context)

    def forbidden(self) -> HTMLResponse:
        return forbidden(self.inbox, self.lang)

    def values(self, name: str) -> list[str]:
        found = self.form.getlist(name) if self.form is not None else []
        return [v for v in found if isinstance(v, str)]

    def value(self, name: str, default: str = "") -> str:
        raw = self.form.get(name) if self.form is not None else None
        return raw.strip() if isinstance(raw, str) else default


Handler = Callable[[Page], Response]


def language_of(request: Request) -> str:
    """The inbox's language from the browser's Accept-Language (German by default)."""
    wanted = [part.split(";")[0].strip().replace("_", "-")
              for part in request.headers.get("accept-language", "").split(",") if part.strip()]
    found = negotiate_locale(wanted, list(SUPPORTED), sep="-") if wanted else None
    return str(found) if found else SOURCE


def render(inbox: Inbox, name: str, status: int = 200, *, lang: str = SOURCE,
           **context: Any) -> HTMLResponse:
    def gettext(msgid: str, **params: Any) -> str:
        return inbox.desk.catalogs.translate(lang, Msg(msgid, {k: str(v)
                                                              for k, v in params.items()}))

    body = inbox.jinja.get_template(name).render(_=gettext, lang=lang, dir=direction(lang),
                                                 **context)
    return HTMLResponse(body, status_code=status)


def forbidden(inbox: Inbox, lang: str = SOURCE) -> HTMLResponse:
    return render(inbox, "error.html", 403, lang=lang,
                  message=inbox.desk.catalogs.translate(lang, Msg(N_("Not allowed."))))


def guarded(handler: Handler, *, post: bool = False, admin: bool = False,
            password_page: bool = False) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a page: sign-in, CSRF on POST, admin role, forced password change."""

    async def endpoint(request: Request) -> Response:
        inbox: Inbox = request.app.state.inbox
        if post and not request.cookies.get(inbox.cookies.session):
            # no session: do not even read the body
            return harden(forbidden(inbox, language_of(request)))
        form = await request.form() if post else None
        response = await run_in_threadpool(_run, request, form, handler, post, admin,
                                           password_page)
        return harden(response)

    return endpoint


def _run(request: Request, form: FormData | None, handler: Handler, post: bool, admin: bool,
         password_page: bool) -> Response:
    inbox: Inbox = request.app.state.inbox
    desk = inbox.desk
    now = desk.clock()
    with desk.session() as db:
        me = accounts.resume(db, desk.settings, request.cookies.get(inbox.cookies.session, ""),
                             now)
        if me is None:
            db.commit()
            if post:
                return forbidden(inbox, language_of(request))
            return RedirectResponse("/inbox/login", status_code=303)
        if post and (form is None or not same(str(form.get("csrf", "")), me.csrf)):
            return forbidden(inbox, language_of(request))
        if admin and me.account.role != "admin":
            return forbidden(inbox, language_of(request))
        if me.account.must_change_password and not password_page:
            db.commit()
            return RedirectResponse("/inbox/password", status_code=303)
        try:
            response = handler(Page(db, inbox, me, request, form, now))
        except NotAllowed:
            db.rollback()
            return forbidden(inbox, language_of(request))
        db.commit()
    desk.notify()
    return response


# --- sign-in ---------------------------------------------------------------------------------

async def login_form(request: Request) -> Response:
    inbox: Inbox = request.app.state.inbox
    token = new_token()
    response = render(inbox, "login.html", lang=language_of(request), csrf=token, error="")
    inbox.cookies.set(response, inbox.cookies.login, token, 600)
    return harden(response)


async def login(request: Request) -> Response:
    form = await request.form()
    return harden(await run_in_threadpool(_login, request, form))


def _login(request: Request, form: FormData) -> Response:
    inbox: Inbox = request.app.state.inbox
    desk = inbox.desk
    if not same(str(form.get("csrf", "")), request.cookies.get(inbox.cookies.login)):
        return forbidden(inbox, language_of(request))
    username = str(form.get("username", ""))[:64]
    now = desk.clock()
    with desk.session() as db:
        account = accounts.authenticate(db, desk.settings, username,
                                        str(form.get("password", ""))[:1024], now)
        if account is None:
            # the name only if the account exists: a mistyped password is no username
            audit(db, username if accounts.by_name(db, username) else "?", "login.failed")
            db.commit()
            token = new_token()
            lang = language_of(request)
            response = render(inbox, "login.html", 401, lang=lang, csrf=token,
                              error=desk.catalogs.translate(lang, Msg(N_(
                                  "Sign-in failed. After several failed attempts the account "
                                  "is locked for a few minutes."))))
            inbox.cookies.set(response, inbox.cookies.login, token, 600)
            return response
        token, _csrf = accounts.open_session(db, account, now)
        audit(db, account.username, "login")
        db.commit()
    done = RedirectResponse("/inbox/", status_code=303)
    inbox.cookies.set(done, inbox.cookies.session, token,
                      desk.settings.inbox_session_max_hours * 3600)
    inbox.cookies.clear(done, inbox.cookies.login)
    return done


def logout(page: Page) -> Response:
    accounts.close_session(page.db, page.request.cookies.get(page.inbox.cookies.session, ""))
    response = RedirectResponse("/inbox/login", status_code=303)
    page.inbox.cookies.clear(response, page.inbox.cookies.session)
    return response


def password_form(page: Page) -> Response:
    return page.render("password.html", error="")


def change_password(page: Page) -> Response:
    account = page.me.account
    current, new = page.value("current"), page.value("new")
    if accounts.authenticate(page.db, page.inbox.desk.settings, account.username, current,
                             page.now) is None:
        return page.render("password.html", 400,
                           error=page.t(N_("The current password is not right.")))
    try:
        account.password_hash = accounts.hash_password(new)
    except accounts.AccountError:
        return page.render("password.html", 400, error=page.t(
            N_("The new password needs at least {count} characters."),
            count=str(accounts.MIN_PASSWORD)))
    account.must_change_password = False
    page.db.add(account)
    accounts.end_other_sessions(page.db, account,
                                page.request.cookies.get(page.inbox.cookies.session, ""))
    return RedirectResponse("/inbox/", status_code=303)


# --- health and calendar feeds ---------------------------------------------------------------

async def healthz(request: Request) -> Response:
    inbox: Inbox = request.app.state.inbox

    def check() -> bool:
        try:
            with inbox.desk.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # any database failure means "unhealthy"
            return False

    ok = await run_in_threadpool(check)
    return JSONResponse({"status": "ok" if ok else "unavailable", "database": ok},
                        status_code=200 if ok else 503)


async def calendar(request: Request) -> Response:
    """`/calendar/<feed token>.ics`: the office's slots for calendar apps (a secret URL)."""
    inbox: Inbox = request.app.state.inbox
    token = request.path_params["token"]

    def build() -> bytes | None:
        with inbox.desk.session() as db:
            office = db.exec(select(Office).where(Office.feed_token == token)).first()
            if office is None or not same(office.feed_token, token):
                return None
            return feed(db, office, inbox.desk.clock())

    body = await run_in_threadpool(build)
    if body is None:
        return Response("not found", status_code=404)
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "no-store"})


def create_app(desk: Desk) -> Starlette:
    """The inbox app for `desk`; `lotse run` serves it beside the bot."""
    from bot.web import pages

    jinja = Environment(loader=FileSystemLoader(HERE / "templates"),
                        autoescape=select_autoescape(["html"]), trim_blocks=True,
                        lstrip_blocks=True)
    filters.install(jinja, desk)
    routes = [
        Route("/healthz", healthz),
        Route("/calendar/{token}.ics", calendar),
        Route("/inbox/login", login_form, methods=["GET"]),
        Route("/inbox/login", login, methods=["POST"]),
        Route("/inbox/logout", guarded(logout, post=True), methods=["POST"]),
        Route("/inbox/password", guarded(password_form, password_page=True), methods=["GET"]),
        Route("/inbox/password", guarded(change_password, post=True, password_page=True),
              methods=["POST"]),
        *pages.routes(),
        Mount("/inbox/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.inbox = Inbox(desk, Cookies(desk.settings.public_url), jinja)
    return app
