#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A plain asyncio scanner, for comparison: a semaphore bounds the
probes in flight, each probe is connect (timeout), "--name", read
(timeout), like CharlaScanner but one coroutine and timer per probe.

usage: asyncio-scan.py PREFIX FIRST LAST PORT_MIN PORT_MAX IN_FLIGHT"""

import asyncio
import sys
import time

TIMEOUT = 0.1


async def probe(sem, ip, port, found, counts):
    async with sem:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(ip, port), TIMEOUT)
        except asyncio.TimeoutError:
            counts["filtered"] += 1
            return
        except ConnectionRefusedError:
            counts["refused"] += 1
            return
        except OSError:
            counts["error"] += 1
            return
        try:
            writer.write(b"--name")
            try:
                data = await asyncio.wait_for(reader.read(1024), TIMEOUT)
                name = data.decode("utf-8", "replace") or "Anonimo"
                counts["node"] += 1
            except asyncio.TimeoutError:
                name = "Anonimo"
                counts["silent"] += 1
            found.append((ip, port, name))
        finally:
            writer.close()


async def main():
    prefix, first, last, pmin, pmax, in_flight = sys.argv[1:7]
    first, last, pmin, pmax, in_flight = map(int, (first, last, pmin, pmax, in_flight))
    sem = asyncio.Semaphore(in_flight)
    found = []
    counts = {"node": 0, "silent": 0, "refused": 0, "filtered": 0, "error": 0}
    start = time.monotonic()
    await asyncio.gather(*(probe(sem, f"{prefix}{i}", port, found, counts)
                           for i in range(first, last + 1)
                           for port in range(pmin, pmax + 1)))
    elapsed = time.monotonic() - start
    print(f"elapsed_s={elapsed:.3f} in_flight={in_flight} " +
          " ".join(f"{k}={v}" for k, v in counts.items()))


if __name__ == "__main__":
    asyncio.run(main())
