"""Resident memory of `partnerbot run` with 10,000 users and 1,000 registrations.

Run: uv run --frozen python -m benchmarks.memory [--users 10000] [--registrations 1000]

The bot runs as its own process against the loopback Bot API double, answers a burst of
messages from many users, and its peak RSS (VmHWM) is read from /proc. For scale, the same
is read for a bare Python process that only imports python-telegram-bot, in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

from bot.registration.municipalities import all_municipalities
from bot.storage.db import open_db
from tests.telegram_double import BotApiDouble

TARGET_MB = 150


def _rss_mb(pid: int) -> tuple[float, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


async def _populate(db: Path, users: int, registrations: int) -> None:
    conn = await open_db(db)
    await conn.close()
    raw = sqlite3.connect(db)
    now = "2026-11-27T10:00:00+00:00"
    raw.executemany(
        "INSERT INTO users (messenger, external_id, name, locale, first_seen, last_seen, "
        "subscribed) VALUES ('telegram', ?, ?, 'sr-Latn', ?, ?, 1)",
        [(str(100000 + i), f"Korisnik {i}", now, now) for i in range(users)],
    )
    codes = list(all_municipalities())
    raw.executemany(
        "INSERT INTO registrations (user_id, municipality, name, position, email, phone, areas, "
        "stage, consent_version, consent_at, locale, created_at, updated_at) "
        "VALUES (?, ?, ?, 'administration', ?, '+381641234567', ?, 'looking', '2026-11-27', "
        "?, 'sr-Latn', ?, ?)",
        [
            (i + 1, codes[i % len(codes)], f"Ime Prezime {i}", f"ime{i}@opstina.rs",
             json.dumps(["economy", "eu"]), now, now, now)
            for i in range(registrations)
        ],
    )  # fmt: skip
    raw.commit()
    raw.close()


async def _bot(api: BotApiDouble, db: Path, messages: int) -> float:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url,
           "PARTNERBOT_DB": str(db), "PARTNERBOT_COORDINATORS": "1"}  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        texts = ["/menu", "kako da nađemo partnera u Švedskoj", "what is ICLD?", "/mydata"]
        for i in range(messages):
            user = 100000 + (i * 37) % 10000
            api.user_text(user, texts[i % len(texts)], language_code="sr")
        for i in range(messages):
            await api.wait_for_sent(100000 + (i * 37) % 10000, 1, timeout=60)
        api.user_text(1, "/export", language_code="sr")
        await api.wait_for_call("sendDocument", timeout=60)
        api.user_text(1, "/registrations", language_code="sr")
        await api.wait_for_sent(1, 1, timeout=60)
        return _rss_mb(proc.pid)[1]
    finally:
        proc.send_signal(signal.SIGTERM)
        await proc.wait()


async def _baseline() -> float:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import telegram.ext, sys; print('ok', flush=True); sys.stdin.read()",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdin is not None
    await proc.stdout.readline()
    peak = _rss_mb(proc.pid)[1]
    proc.stdin.close()
    await proc.wait()
    return peak


async def main(users: int, registrations: int, messages: int, rounds: int) -> None:
    bots, bases = [], []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bot.sqlite3"
        await _populate(db, users, registrations)
        for _ in range(rounds):
            bases.append(await _baseline())
            async with BotApiDouble() as api:
                bots.append(await _bot(api, db, messages))
    bot, base = statistics.median(bots), statistics.median(bases)
    print(f"users {users}, registrations {registrations}, messages answered {messages}, "
          f"rounds {rounds} (medians)")  # fmt: skip
    print(f"  bare python + telegram.ext import   peak RSS {base:7.1f} MB")
    print(f"  partnerbot run                       peak RSS {bot:7.1f} MB   ratio {bot / base:.2f}")
    print(f"  target < {TARGET_MB} MB: {'PASS' if bot < TARGET_MB else 'FAIL'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--registrations", type=int, default=1_000)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.users, args.registrations, args.messages, args.rounds))
