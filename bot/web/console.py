"""The coordinators' web console: sign-in by a one-time link from the chat, sessions, CSRF,
and the frame every page is drawn in. The pages themselves are in bot/web/pages/."""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jinja2
from aiohttp import web

from bot.core.context import Services, reader_locale
from bot.core.i18n import Translator
from bot.core.locales import Locale
from bot.core.messages import UserRef
from bot.storage.web import SESSION_LIFETIME, Session, WebSessions
from bot.web.server import WebServer

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

COOKIE = "partnerbot_session"
# the pages' own styles and scripts only: a value that slipped through escaping cannot run
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # a sign-in link in the address bar must not travel to another site (within this one,
    # browsers then also send the Origin that sign-in checks)
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Page:
    """What a page handler gets: the request, who is signed in, their language."""

    request: web.Request
    session: Session
    secret: str = field(repr=False)
    t: Translator
    console: Console

    @property
    def services(self) -> Services:
        return self.console.app.services

    @property
    def coordinator(self) -> UserRef:
        return self.session.coordinator

    def render(self, template: str, status: int = 200, **values: Any) -> web.Response:
        return self.console.render(template, self.t, status, page=self, **values)

    def redirect(self, path: str) -> web.Response:
        """After a change: back to a page with GET (a reload does not repeat the change)."""
        return web.Response(status=303, headers={"Location": self.console.url(path)})

    @staticmethod
    def new_form_id() -> str:
        """For a form that creates something: `<input type="hidden" name="form_id">`."""
        return secrets.token_urlsafe(16)

    async def spent_form(self, form: dict[str, str]) -> str | None:
        """Call first inside the transaction that creates the thing: None the first time this
        form is sent; after that, the page the first submission led to (a double click, a
        reload of the POST, the back button), or "" if it is still being handled. A form
        without an id is treated as new."""
        form_id = form.get("form_id", "")
        if not form_id:
            return None
        return await self.console.sessions.spend_form(form_id, "")

    async def form_led_to(self, form: dict[str, str], path: str) -> None:
        """Where the first submission of this form led, for its repeats (same transaction)."""
        if form.get("form_id"):
            await self.console.sessions.form_led_to(form["form_id"], path)

    @staticmethod
    def download(content: bytes, filename: str) -> web.Response:
        """A file to save (an export): CSV or Excel by its name's ending; never cached."""
        kind = _FILE_TYPES[filename.rsplit(".", 1)[-1]]
        return web.Response(
            body=content, content_type=kind, charset="utf-8" if kind == "text/csv" else None,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            },
        )  # fmt: skip

    async def form(self) -> dict[str, str]:
        data = await self.request.post()
        return {k: v for k, v in data.items() if isinstance(v, str)}


_FILE_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

PageHandler = Callable[[Page], Awaitable[web.StreamResponse]]

# (path, label id) of the navigation, in order
NAVIGATION = (
    ("/", "web.nav.overview"),
    ("/registrations", "web.nav.registrations"),
    ("/inbox", "web.nav.inbox"),
    ("/workshops", "web.nav.workshops"),
    ("/announcements", "web.nav.announcements"),
    ("/asked", "web.nav.asked"),
)


def browser_locale(request: web.Request) -> Locale:
    """For pages shown before anyone signed in: Serbian when the browser asks for it."""
    accepted = request.headers.get("Accept-Language", "").lower()
    first = accepted.split(",")[0].strip()
    if first.startswith(("sr-latn", "hr", "bs")):
        return Locale.SR_LATN
    return Locale.SR_CYRL if first.startswith("sr") else Locale.EN


class Console:
    def __init__(self, app: App, server: WebServer) -> None:
        self.app = app
        self.server = server
        settings = app.services.settings
        self.prefix = urlsplit(settings.web_url).path.rstrip("/") if settings.web_url else ""
        self.secure = settings.console_url.startswith("https://")
        self.sessions = WebSessions(app.services.db)
        self._env = jinja2.Environment(
            loader=jinja2.PackageLoader("bot.web", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        folder = resources.files("bot.web") / "static"
        self._static = {
            name: ((folder / name).read_bytes(), kind)
            for name, kind in (("console.css", "text/css"), ("console.js", "text/javascript"))
        }

    def url(self, path: str) -> str:
        return f"{self.prefix}{path}" if path != "/" or not self.prefix else f"{self.prefix}/"

    def install(self) -> None:
        from bot.web.pages import install_all

        self.server.add_middleware(self._errors)
        self.server.add("GET", self.url("/signin/{secret}"), self._signin_page)
        self.server.add("POST", self.url("/signin/{secret}"), self._signin)
        self.server.add("GET", self.url("/static/{name}"), self._static_file)
        self.post("/signout", self._signout)
        self.post("/language", self._language)
        install_all(self)

    def get(self, path: str, handler: PageHandler) -> None:
        self.server.add("GET", self.url(path), self._guarded(handler, post=False))

    def post(self, path: str, handler: PageHandler) -> None:
        self.server.add("POST", self.url(path), self._guarded(handler, post=True))

    # -- rendering ------------------------------------------------------------------------

    def render(
        self, template: str, t: Translator, status: int = 200, **values: Any
    ) -> web.Response:
        page: Page | None = values.get("page")
        body = self._env.get_template(template).render(
            t=t.t, tn=t.tn, locale=t.locale, url=self.url, navigation=NAVIGATION,
            csrf=page.session.csrf if page else "", signed_in=page is not None,
            current=page.request.path if page else "", **values,
        )  # fmt: skip
        return web.Response(
            text=body, status=status, content_type="text/html", charset="utf-8",
            headers=_SECURITY_HEADERS,
        )  # fmt: skip

    def message(
        self, t: Translator, status: int, title_id: str, text_id: str, page: Page | None = None
    ) -> web.Response:
        """A page that only says something: a used link, a missing session, a refused form
        (with the console's navigation when someone is signed in)."""
        return self.render(
            "message.html", t, status, title=t.t(title_id), text=t.t(text_id), page=page
        )

    def _t(self, locale: Locale) -> Translator:
        return self.app.services.i18n[locale]

    @web.middleware
    async def _errors(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """A browser gets the console's own page for an error, in its language; webhooks and
        other clients get aiohttp's answers as before."""
        if "text/html" not in request.headers.get("Accept", ""):
            return await handler(request)
        t = self._t(browser_locale(request))
        try:
            return await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            if exc.status == 413:
                return self.message(t, 413, "web.too_large.title", "web.too_large.text")
            if exc.status in (404, 405):
                return self.message(t, 404, "web.not_found.title", "web.not_found.text")
            raise
        except Exception:
            # the route's pattern, not its path: a sign-in path holds a secret
            route = request.match_info.route.resource
            log.exception("web console: %s %s failed", request.method,
                          route.canonical if route else "?")  # fmt: skip
            return self.message(t, 500, "web.error.title", "web.error.text")

    # -- sessions -------------------------------------------------------------------------

    def _guarded(self, handler: PageHandler, post: bool) -> Callable[[web.Request], Any]:
        async def guarded(request: web.Request) -> web.StreamResponse:
            secret = request.cookies.get(COOKIE, "")
            session = await self.sessions.get(secret) if secret else None
            if session is None:
                t = self._t(browser_locale(request))
                return self.message(t, 401, "web.signin_needed.title", "web.signin_needed.text")
            t = self._t(session.locale)
            if session.coordinator not in self.app.services.settings.coordinators:
                # removed from PARTNERBOT_COORDINATORS: the session ends with the right
                await self.sessions.end(secret)
                return self.message(t, 403, "web.not_coordinator.title", "web.not_coordinator.text")
            page = Page(request, session, secret, t, self)
            if post:
                sent = (await request.post()).get("csrf")
                if not isinstance(sent, str) or not hmac.compare_digest(sent, session.csrf):
                    return self.message(t, 403, "web.csrf.title", "web.csrf.text", page)
            return await handler(page)

        return guarded

    async def _signin_page(self, request: web.Request) -> web.StreamResponse:
        # a GET never uses the link: messengers and mail scanners open links to preview them
        secret = request.match_info["secret"]
        state = await self.sessions.link_state(secret)
        t = self._t(browser_locale(request))
        if state != "valid":
            return self.message(t, 410 if state != "unknown" else 404, f"web.link_{state}.title",
                                "web.link_invalid.text")  # fmt: skip
        return self.render("signin.html", t, action=self.url(f"/signin/{secret}"))

    def _same_site(self, request: web.Request) -> bool:
        """A sign-in comes from the console's own Sign in button. Another site must not sign
        a coordinator's browser into a session opened with someone else's link."""
        fetch_site = request.headers.get("Sec-Fetch-Site")
        if fetch_site is not None and fetch_site not in ("same-origin", "none"):
            return False
        origin = request.headers.get("Origin")
        if origin is None or (origin == "null" and fetch_site == "same-origin"):
            return True  # a browser too old to say; the link's secret still decides
        public = urlsplit(self.app.services.settings.console_url)
        return origin in (
            f"{public.scheme}://{public.netloc}",
            f"{request.scheme}://{request.host}",
        )

    async def _signin(self, request: web.Request) -> web.StreamResponse:
        secret = request.match_info["secret"]
        if not self._same_site(request):
            t = self._t(browser_locale(request))
            return self.message(t, 403, "web.csrf.title", "web.csrf.text")
        state = await self.sessions.link_state(secret)
        coordinator = await self.sessions.use_link(secret)
        t = self._t(browser_locale(request))
        if coordinator is None:
            name = state if state in ("used", "expired") else "unknown"
            return self.message(t, 410 if name != "unknown" else 404, f"web.link_{name}.title",
                                "web.link_invalid.text")  # fmt: skip
        if coordinator not in self.app.services.settings.coordinators:
            return self.message(t, 403, "web.not_coordinator.title", "web.not_coordinator.text")
        user = await self.app.services.users.get(coordinator)
        cookie, _ = await self.sessions.open(coordinator, reader_locale(user))
        await self.app.services.audit.record(coordinator, "web_signin")
        response = web.Response(status=303, headers={"Location": self.url("/")})
        response.set_cookie(
            COOKIE, cookie, max_age=int(SESSION_LIFETIME.total_seconds()), path=self.url("/"),
            httponly=True, secure=self.secure, samesite="Lax",
        )  # fmt: skip
        return response

    async def _signout(self, page: Page) -> web.StreamResponse:
        await self.sessions.end(page.secret)
        response = self.message(page.t, 200, "web.signed_out.title", "web.signed_out.text")
        response.del_cookie(COOKIE, path=self.url("/"))
        return response

    async def _language(self, page: Page) -> web.StreamResponse:
        form = await page.form()
        try:
            locale = Locale(form.get("locale", ""))
        except ValueError:
            return self.message(page.t, 400, "web.bad_form.title", "web.bad_form.text", page)
        await self.sessions.set_locale(page.secret, locale)
        return web.Response(status=303, headers={"Location": self._own_path(form.get("back", ""))})

    def _own_path(self, back: str) -> str:
        """`back` if it is a path of this console, else its first page: never a redirect to
        another site ("//host", "/\\host", a scheme) nor a broken header."""
        parts = urlsplit(back)
        if (
            any(c < " " or c in "\\\x7f" for c in back)
            or parts.scheme or parts.netloc or not back.startswith(self.url("/"))
            or back.startswith("//")
        ):  # fmt: skip
            return self.url("/")
        return back

    async def _static_file(self, request: web.Request) -> web.StreamResponse:
        found = self._static.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        body, kind = found
        return web.Response(
            body=body, content_type=kind,
            headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
        )  # fmt: skip


async def end_removed(app: App) -> None:
    """At start: whoever left PARTNERBOT_COORDINATORS is signed out of every browser."""
    ended = await WebSessions(app.services.db).end_others(app.services.settings.coordinators)
    if ended:
        log.info("web console: %d session(s) of former coordinators ended", ended)


def install(app: App, server: WebServer) -> Console:
    console = Console(app, server)
    console.install()
    return console
