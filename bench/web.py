"""What `ardoise web` costs per viewer: N sessions at once following a recording at about one
frame a second.

For each N (1, 5, 10 by default): `ardoise web` (the command, in its own process) relays a
source feed served by this script (the Pau stage's recording when present, else the simulated
flat stage); N headless sessions open its websocket as the page does (a 160x48 terminal, the
page's pings) and read everything the app draws. A browser's own drawing is the viewer's
machine's work, not the server's: it is left out. Once every session has drawn the race and
`--warmup` seconds have passed (each app starts and catches up on the relay's log), CPU time
is counted for `--window` seconds:

- each app's resident memory (RSS) and CPU, the web server's (`ardoise web` itself: the
  websockets), the relay's (`ardoise serve`), from /proc (CPU time: what the others working on
  the machine do not change);
- the machine's CPU (every core, from /proc/stat): on a shared machine, the others' work too.

    python bench/web.py [--sessions 1 5 10] [--warmup 15] [--window 30]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.waiting import until  # noqa: E402
from tests.support.webserver import (  # noqa: E402
    SourceServer,
    Web,
    ardoise_web,
    cpu_s,
    rss_mb,
    source_feed,
)

COLUMNS, ROWS = 160, 48
DRAWN_BYTES = 20_000
"""A session has drawn the race once it has sent this much (a 160x48 screen is more)."""
PING_S = 5.0


@dataclass
class Viewer:
    """One headless session: its websocket, read to the end."""

    received: int = 0

    async def follow(self, client: aiohttp.ClientSession, url: str, stop: asyncio.Event) -> None:
        async with client.ws_connect(f"{url}?width={COLUMNS}&height={ROWS}") as socket:
            await socket.send_json(["resize", {"width": COLUMNS, "height": ROWS}])
            pinger = asyncio.create_task(_ping(socket, stop))
            try:
                while not stop.is_set():
                    try:
                        message = await socket.receive(timeout=1.0)
                    except TimeoutError:
                        continue
                    if message.type == aiohttp.WSMsgType.BINARY:
                        self.received += len(message.data)
                    elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                        break
            finally:
                pinger.cancel()


async def _ping(socket: aiohttp.ClientWebSocketResponse, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await socket.send_json(["ping", str(time.time())])
        await asyncio.sleep(PING_S)


@dataclass(frozen=True)
class Row:
    sessions: int
    rss_mb: list[float]
    app_cpu: list[float]
    """Each app's CPU, as a share of one core."""
    server_cpu: float
    relay_cpu: float
    server_rss_mb: float
    relay_rss_mb: float
    machine_cpu: float
    """Busy share of the machine (every core)."""
    cores: int
    bytes_per_s: float
    """What each session sends its browser, on average."""


def machine_times() -> tuple[int, int]:
    """(busy, total) jiffies of every core since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def cores() -> int:
    return sum(1 for line in Path("/proc/stat").read_text().splitlines() if line[:3] == "cpu") - 1


async def measure(web: Web, count: int, warmup_s: float, window_s: float) -> Row:
    stop = asyncio.Event()
    viewers = [Viewer() for _ in range(count)]
    ws_url = web.url.replace("http", "ws", 1) + "/ws"
    async with aiohttp.ClientSession() as client:
        tasks = [asyncio.create_task(v.follow(client, ws_url, stop)) for v in viewers]
        await until(
            lambda: all(v.received >= DRAWN_BYTES for v in viewers),
            within=60 + 10 * count,
            what="every session drawing the race",
        )
        await asyncio.sleep(warmup_s)  # Not a test: the apps' start is left out of the window.
        apps, relay = web.sessions(), web.relay()
        assert len(apps) == count, f"{len(apps)} app processes for {count} sessions"
        pids = [*apps, web.process.pid, relay]
        cpu_before = [cpu_s(pid) for pid in pids]
        busy_before, total_before = machine_times()
        bytes_before = sum(v.received for v in viewers)
        started = time.monotonic()
        await asyncio.sleep(window_s)
        elapsed = time.monotonic() - started
        cpu = [
            (cpu_s(pid) - before) / elapsed for pid, before in zip(pids, cpu_before, strict=True)
        ]
        busy_after, total_after = machine_times()
        sent = sum(v.received for v in viewers) - bytes_before
        rss = [rss_mb(pid) for pid in pids]
        stop.set()
        await asyncio.gather(*tasks)
    return Row(
        sessions=count,
        rss_mb=rss[:count],
        app_cpu=cpu[:count],
        server_cpu=cpu[count],
        relay_cpu=cpu[count + 1],
        server_rss_mb=rss[count],
        relay_rss_mb=rss[count + 1],
        machine_cpu=(busy_after - busy_before) / max(1, total_after - total_before),
        cores=cores(),
        bytes_per_s=sent / elapsed / count,
    )


def run(count: int, warmup_s: float, window_s: float) -> Row:
    adapter, label = source_feed(frames_per_s=1.0)
    with (
        tempfile.TemporaryDirectory() as folder,
        SourceServer(adapter, label) as source,
        ardoise_web(Path(folder), source.stream_url, "--max-sessions", str(count)) as web,
    ):
        row = asyncio.run(measure(web, count, warmup_s, window_s))
        assert source.streams == 1, f"{source.streams} connections to the source"
        return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10])
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds after the start")
    parser.add_argument("--window", type=float, default=30.0, help="seconds measured")
    args = parser.parse_args()
    print(
        f"{'sessions':>8}  {'RSS/app MB':>12}  {'CPU/app':>8}  {'server':>14}  "
        f"{'relay':>14}  {'machine':>15}  {'KB/s/app':>8}"
    )
    for count in args.sessions:
        row = run(count, args.warmup, args.window)
        print(
            f"{row.sessions:>8}  {statistics.mean(row.rss_mb):>6.1f} ({max(row.rss_mb):>3.0f})"
            f"  {statistics.mean(row.app_cpu):>7.1%}"
            f"  {row.server_cpu:>5.1%} {row.server_rss_mb:>4.0f} MB"
            f"  {row.relay_cpu:>5.1%} {row.relay_rss_mb:>4.0f} MB"
            f"  {row.machine_cpu:>5.0%} of {row.cores} cores"
            f"  {row.bytes_per_s / 1000:>8.1f}",
            flush=True,
        )
    print(
        "CPU shares are of one core; RSS/app: mean (max); server: `ardoise web` itself; "
        "machine: every process on it, the others' work included"
    )


if __name__ == "__main__":
    main()
