#!/usr/bin/env python3
"""bench/conn-probe.py — does every keep-alive connection get answered?

    conn-probe.py PORT [--path /healthz] [--connections 256] [--duration 5] [--timeout 3]

Opens all connections to 127.0.0.1:PORT first, then each sends GET requests back to back
(HTTP/1.1 keep-alive, reconnecting when the server closes) for the duration, and counts
the 2xx answers it gets. A connection that waits longer than --timeout for an answer is
"starved". wrk cannot show this: it reports no error for a connection that is never
answered. Prints one summary line; exit status 0 only if every connection got 2xx answers.
"""
import argparse
import asyncio
import statistics
import sys
import time

HOST = "127.0.0.1"  # never anything else


async def read_response(reader):
    """Read one HTTP/1.1 response; return (status, keep_alive)."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed by server")
    status = int(status_line.split()[1])
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    if headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)  # chunk and its CRLF
            if size == 0:
                break
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection") != "close"


async def probe(port, path, start, duration, timeout):
    """Return (2xx answers, failure or None) for one connection."""
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    answered = 0
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout)
        await start.wait()
        deadline = time.monotonic() + duration
        while time.monotonic() < deadline:
            writer.write(request)
            status, keep_alive = await asyncio.wait_for(read_response(reader), timeout)
            if not 200 <= status < 300:
                return answered, f"status {status}"
            answered += 1
            if not keep_alive:
                writer.close()
                reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout)
        writer.close()
        return answered, None
    except asyncio.TimeoutError:
        return answered, "starved"
    except (OSError, ConnectionError, ValueError, IndexError, asyncio.IncompleteReadError) as e:
        return answered, type(e).__name__


async def main():
    ap = argparse.ArgumentParser(description="per-connection answer counts on 127.0.0.1")
    ap.add_argument("port", type=int)
    ap.add_argument("--path", default="/healthz")
    ap.add_argument("--connections", type=int, default=256)
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--timeout", type=float, default=3)
    a = ap.parse_args()

    start = asyncio.Event()
    tasks = [asyncio.create_task(probe(a.port, a.path, start, a.duration, a.timeout))
             for _ in range(a.connections)]
    await asyncio.sleep(0.5)  # let every connection open before the first request
    start.set()
    results = await asyncio.gather(*tasks)

    counts = [n for n, _ in results]
    failures = {}
    for _, err in results:
        if err:
            failures[err] = failures.get(err, 0) + 1
    served = sum(1 for n, err in results if n > 0 and err is None)
    print(f"conn-probe: {served}/{a.connections} connections answered; responses per connection "
          f"min {min(counts)}, median {int(statistics.median(counts))}, max {max(counts)}, "
          f"total {sum(counts)}"
          + ("; failures: " + ", ".join(f"{k} {v}" for k, v in sorted(failures.items()))
             if failures else ""))
    return 0 if served == a.connections else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
