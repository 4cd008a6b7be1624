#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The seed's scanner (detect_servers), reproduced faithfully: one probe
at a time, connect_ex with a 0.1 s timeout, then send "--name" and one
recv(1024) with the same timeout ("Anonimo" on timeout).  Only the
address prefix and the ranges are parameters, so it can run inside the
lab's namespace instead of the seed's own LAN prefix.

usage: seed-scan.py PREFIX FIRST LAST PORT_MIN PORT_MAX
       (the seed itself uses its LAN prefix, 121 159 9990 10005)"""

import socket
import sys
import time


def detect_servers(start_ip, first, last, start_port, end_port):
    active_servers = []
    for i in range(first, last + 1):
        ip = start_ip + str(i)
        for port in range(start_port, end_port + 1):
            server_address = (ip, port)
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(0.1)
            result = s.connect_ex(server_address)
            if result == 0:
                s.send("--name".encode("utf-8"))
                try:
                    name = s.recv(1024).decode("utf-8")
                except socket.timeout:
                    name = "Anonimo"
                active_servers.append((ip, port, name))
            s.close()
    return active_servers


def main():
    prefix, first, last, pmin, pmax = sys.argv[1:6]
    first, last, pmin, pmax = int(first), int(last), int(pmin), int(pmax)
    start = time.monotonic()
    servers = detect_servers(prefix, first, last, pmin, pmax)
    elapsed = time.monotonic() - start
    probes = (last - first + 1) * (pmax - pmin + 1)
    print(f"elapsed_s={elapsed:.3f} probes={probes} servers={len(servers)}")
    for ip, port, name in servers:
        print(f"  {ip}:{port} {name}")


if __name__ == "__main__":
    main()
