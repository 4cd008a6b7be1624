#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Live nodes for the scan lab: each ADDR:PORT:NAME listens like the
seed's server (a thread per connection, recv(1024), the bare name in
answer to "--name").  NAME "-" makes a silent listener that accepts and
never answers.  Runs until killed."""

import socket
import sys
import threading


def serve_client(conn, name):
    with conn:
        while True:
            try:
                data = conn.recv(1024)
            except OSError:
                return
            if not data:
                return
            if name != "-" and data.decode("utf-8", "replace").lower() == "--name":
                conn.send(name.encode("utf-8"))


def serve(addr, port, name):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((addr, port))
    server.listen(128)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve_client, args=(conn, name), daemon=True).start()


def main():
    threads = []
    for spec in sys.argv[1:]:
        addr, port, name = spec.split(":", 2)
        t = threading.Thread(target=serve, args=(addr, int(port), name), daemon=True)
        t.start()
        threads.append(t)
    print("ready", flush=True)
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
