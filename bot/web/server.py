"""One HTTP server in the bot process for every webhook (Viber's, Telegram's in webhook mode).

Channels add their routes before it starts; it binds PARTNERBOT_LISTEN (loopback by default:
a reverse proxy in front terminates TLS)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

log = logging.getLogger(__name__)

# a messenger's largest callback is a 7,000-character Viber message: about 30 KB
MAX_BODY = 64 * 1024

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebServer:
    def __init__(self, listen: tuple[str, int]) -> None:
        self.listen = listen
        self._app = web.Application(client_max_size=MAX_BODY)
        self._runner: web.AppRunner | None = None

    def add_middleware(self, middleware: Middleware) -> None:
        self._app.middlewares.append(middleware)

    def add(self, method: str, path: str, handler: Handler) -> None:
        self._app.router.add_route(method, path, handler)

    async def start(self) -> None:
        if self._runner is not None:
            return  # shared: the first channel to start it starts it
        self._runner = web.AppRunner(self._app, access_log=None)
        await self._runner.setup()
        host, port = self.listen
        await web.TCPSite(self._runner, host, port).start()
        log.info("HTTP server on %s:%d", host, self.port)

    @property
    def port(self) -> int:
        """The port actually bound (the setting may say 0: any free one)."""
        assert self._runner is not None, "not started"
        for address in self._runner.addresses:
            return int(address[1])
        raise RuntimeError("the HTTP server is not serving")

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
