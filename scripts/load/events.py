#!/usr/bin/env python3
"""What N open pages cost a server: N Server-Sent Event streams against N pages polling
GET /api/model every second (what the page did while a retraining ran), measured as the
server process's CPU seconds and memory (from /proc) over the same window, and how long a
change takes to reach every open stream.

    python3 scripts/load/events.py PORT SERVER_PID ADMIN_TOKEN [PAGES] [SECONDS]
"""
import asyncio
import json
import os
import sys
import time

PORT, PID, TOKEN = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
PAGES = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
SECONDS = float(sys.argv[5]) if len(sys.argv) > 5 else 20
TICKS = os.sysconf("SC_CLK_TCK")


def server_cpu():
    fields = open(f"/proc/{PID}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def server_rss_mib():
    for line in open(f"/proc/{PID}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def stream(index, first_event, events):
    """One page's EventSource: the time each status arrives goes to `events`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    # Each page its own client, as behind a proxy: a server allows 16 streams per address.
    client = f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"
    writer.write(f"GET /api/model/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                 f"X-Forwarded-For: {client}\r\n\r\n".encode())
    await writer.drain()
    buffer = b""
    try:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                return
            buffer += chunk
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                for line in event.split(b"\n"):
                    if line.startswith(b"data: "):
                        status = json.loads(line[6:])
                        if not first_event.done():
                            first_event.set_result(time.time())
                        events.append((time.time(), status))
    finally:
        writer.close()


async def poller(stop, counts):
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    request = b"GET /api/model HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    while not stop.is_set():
        started = time.time()
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = int([line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")][0].split(b":")[1])
        await reader.readexactly(length)
        counts[0] += 1
        await asyncio.sleep(max(0, 1 - (time.time() - started)))
    writer.close()


async def request(method, path):
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    reply = await reader.read()
    writer.close()
    return reply.split(b" ", 2)[1].decode()


async def main():
    idle_cpu, idle_rss = server_cpu(), server_rss_mib()
    await asyncio.sleep(SECONDS)
    idle = server_cpu() - idle_cpu
    print(f"no pages:          server CPU {idle:6.2f} s in {SECONDS:.0f} s, memory {idle_rss:6.1f} MiB")

    # Polling, one request a second per page.
    stop, counts = asyncio.Event(), [0]
    pollers = []
    for _ in range(PAGES):
        pollers.append(asyncio.create_task(poller(stop, counts)))
        await asyncio.sleep(1 / PAGES)  # spread over a second, as pages opened at random would be
    await asyncio.sleep(2)
    cpu, counts[0] = server_cpu(), 0
    await asyncio.sleep(SECONDS)
    polled, requests = server_cpu() - cpu, counts[0]
    polling_rss = server_rss_mib()
    stop.set()
    await asyncio.gather(*pollers, return_exceptions=True)
    print(f"{PAGES} pages polling: server CPU {polled:6.2f} s in {SECONDS:.0f} s ({requests / SECONDS:.0f} requests/s), memory {polling_rss:6.1f} MiB")

    # Streams.
    opened = time.time()
    firsts = [asyncio.get_running_loop().create_future() for _ in range(PAGES)]
    logs = [[] for _ in range(PAGES)]
    streams = []
    for index in range(PAGES):
        streams.append(asyncio.create_task(stream(index, firsts[index], logs[index])))
        if index % 100 == 99:
            await asyncio.sleep(0.05)
    done, _ = await asyncio.wait(firsts, timeout=60)
    connected = max(f.result() for f in done) - opened if done else float("nan")
    await asyncio.sleep(2)
    cpu = server_cpu()
    await asyncio.sleep(SECONDS)
    streamed = server_cpu() - cpu
    stream_rss = server_rss_mib()
    print(f"{PAGES} pages streaming: server CPU {streamed:6.2f} s in {SECONDS:.0f} s, memory {stream_rss:6.1f} MiB; "
          f"{len(done)} of {PAGES} had the status {connected:.2f} s after the first opened")

    # A change reaches every stream: a retraining starts.
    asked = time.time()
    status = await request("POST", "/api/model/retrain")
    deadline = time.time() + 30
    while time.time() < deadline:
        arrived = [next((at for at, s in log if s.get("training")), None) for log in logs]
        if all(arrived):
            break
        await asyncio.sleep(0.05)
    reached = [at - asked for at in arrived if at]
    reached.sort()
    if reached:
        print(f"retraining asked ({status}): its status reached {len(reached)} of {PAGES} streams, "
              f"median {reached[len(reached) // 2]:.2f} s, last {reached[-1]:.2f} s after")
    await request("DELETE", "/api/model/training")
    for task in streams:
        task.cancel()
    await asyncio.gather(*streams, return_exceptions=True)
    print(f"ratio: streaming costs {streamed / polled:.3f}x the server CPU of polling once a second "
          f"({streamed / SECONDS * 1000 / PAGES:.3f} ms/s per page against {polled / SECONDS * 1000 / PAGES:.3f})")


asyncio.run(main())
