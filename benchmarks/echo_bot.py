"""The minimal python-telegram-bot echo bot: the yardstick of benchmarks/reply_throughput.py.

    TELEGRAM_BOT_TOKEN=… TELEGRAM_API_URL=… python -m benchmarks.echo_bot

Long-polls the Bot API at TELEGRAM_API_URL (the loopback double in the benchmark) and answers
every text message with the same text, updates handled concurrently. Stops on SIGTERM or
SIGINT with exit status 0.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


async def serve(token: str, base_url: str | None) -> None:
    builder = ApplicationBuilder().token(token).concurrent_updates(True)
    if base_url:
        builder = builder.base_url(base_url)
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling()
    try:
        await stop.wait()
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


def main() -> int:
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        print("echo_bot: set TELEGRAM_BOT_TOKEN", file=sys.stderr)
        return 2
    asyncio.run(serve(token, os.environ.get("TELEGRAM_API_URL", "").strip() or None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
