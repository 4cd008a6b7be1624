#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Emulates the seed program (../shared/seed/, a Python chat) on the wire.

Every socket call mirrors the seed's code: the scanner's connect_ex with
settimeout(0.1), bare send("--name") and one recv(1024) decoded as UTF-8;
the server's per-connection loop of recv(1024), decode, answer "--name"
with the bare name and print anything else; the client that sends each
typed line with one send() and never reads.  Only the output differs: one
JSON object per line on stdout, so tests can check exactly what the seed
would have seen or printed.

The seed's excerpt only shows parts of its program.  Where it is silent
the most likely original is filled in and marked "Filled in:" below.

Test hooks that are not the seed, each marked "Not the seed:" below:
scan --check-extra MS looks for bytes after the name; server --split-reply
MS / --double-reply deliver the name in pieces (and set TCP_NODELAY so MS
is what the wire shows); server --recv-delay MS plays a busy seed; client
--check-unread peeks at what the seed left unread (also on a "::peek"
line).  The scanner and server exit when their stdin closes, so they never
outlive the test that started them.

Only loopback addresses are accepted: this is a test tool.

    seed-peer.py scan   --ip 127.0.0.1 --ports 9990-10005
    seed-peer.py scan   --ip 127.0.0.121-159 --ports 9990-10005
    seed-peer.py server --port 0 --name Criss [--split-reply MS] [--double-reply]
    seed-peer.py client --host 127.0.0.1 --port P [--check-unread]
"""

import argparse
import ipaddress
import json
import os
import socket
import sys
import threading
import time

SEED_TIMEOUT = 0.1          # the seed's s.settimeout(0.1)
SEED_RECV_SIZE = 1024       # the seed's recv(1024)
NAME_QUERY = "--name"       # the seed's hidden command, sent bare

_print_lock = threading.Lock()


def emit(**fields):
    """Print one event as a JSON line (threads share stdout)."""
    line = json.dumps(fields, ensure_ascii=True)
    with _print_lock:
        try:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        except BrokenPipeError:
            os._exit(0)     # the test that reads us is gone


def require_loopback(host):
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        sys.exit(f"seed-peer: {host!r} is not an IP address")
    if not address.is_loopback:
        sys.exit(f"seed-peer: refusing non-loopback address {host}")
    return host


def parse_range(text):
    low, _, high = text.partition("-")
    low = int(low)
    high = int(high) if high else low
    if low > high:
        sys.exit(f"seed-peer: empty range {text!r}")
    return low, high


def parse_ips(text):
    """A single address, or a range of last octets like "127.0.0.121-159"
    (the seed's `for i in range(121, 160)` loop over its LAN prefix)."""
    prefix, _, last = text.rpartition(".")
    if "-" not in last:
        return [require_loopback(text)]
    low, high = parse_range(last)
    return [require_loopback(f"{prefix}.{i}") for i in range(low, high + 1)]


# --------------------------------------------------------------------------
# Option 0: detect_servers()


def run_scan(args):
    ips = parse_ips(args.ip)
    start_port, end_port = parse_range(args.ports)
    active_servers = []

    for ip in ips:
        for port in range(start_port, end_port + 1):
            server_address = (ip, port)
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(args.timeout)
            result = s.connect_ex(server_address)
            if result == 0:
                s.send(NAME_QUERY.encode('utf-8'))
                raw = b""
                timed_out = False
                event = {"ip": ip, "port": port}
                try:
                    raw = s.recv(SEED_RECV_SIZE)
                    # The seed decodes without a try: a bad byte would
                    # crash the whole scan.  We report it instead.
                    name = raw.decode('utf-8')
                except socket.timeout:
                    timed_out = True
                    name = "Anonimo"
                except UnicodeDecodeError:
                    name = None
                    event["decode_error"] = raw.hex()
                except OSError as error:
                    # Filled in: the seed does not catch this either.
                    name = None
                    event["error"] = str(error)
                if args.check_extra > 0 and not timed_out:
                    # Not the seed: look for bytes after the name, so a
                    # test can tell the seed saw the name and nothing more.
                    event["extra_hex"] = read_for(s, args.check_extra / 1000).hex()
                event.update(name=name, raw_hex=raw.hex(), raw_repr=repr(raw),
                             timed_out=timed_out)
                active_servers.append((ip, port, name))
                emit(**event)
            s.close()

    emit(done=True, servers=len(active_servers))


def read_for(sock, seconds):
    data = b""
    deadline = time.monotonic() + seconds
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return data
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, OSError):
            return data
        if not chunk:
            return data
        data += chunk


# --------------------------------------------------------------------------
# Every seed node is a server.  Filled in: the excerpt only shows the
# "--name" branch of its per-client loop; the rest is the usual pattern of
# such programs (one thread per accepted client, recv(1024) in a loop,
# print what is not a command, stop on an empty recv).


class NameReplier:
    """Sends the name the way the options ask (per connection)."""

    def __init__(self, args):
        self.name = args.name.encode('utf-8')
        self.split_ms = args.split_reply
        self.double = args.double_reply
        self.replies = 0

    def send(self, client_socket):
        self.replies += 1
        name = self.name
        half = len(name) // 2
        if self.double and self.replies == 1:
            # "Merged": the first reply's tail is late and travels with
            # the second reply, in one segment ("Cr" then "issCriss").
            client_socket.send(name[:half])
        elif self.double and self.replies == 2:
            client_socket.send(name[half:] + name)
        elif self.split_ms is not None and half > 0:
            # "Split": the reply arrives in two pieces MS ms apart (cut at
            # the middle byte, even inside a character, as TCP may).
            client_socket.send(name[:half])
            time.sleep(self.split_ms / 1000)
            client_socket.send(name[half:])
        else:
            # The seed: client_socket.send("Criss".encode('utf-8'))
            client_socket.send(name)


def handle_client(client_socket, address, args):
    peer = [address[0], address[1]]
    replier = NameReplier(args)
    if args.split_reply is not None:
        # Not the seed (it sends the name at once): without this, Nagle
        # holds the second piece until the first is acknowledged, which
        # a delayed ACK can make 40 ms instead of MS.
        client_socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        if args.recv_delay:
            # Not the seed: a busy seed thread lets bytes pile up.
            time.sleep(args.recv_delay / 1000)
        try:
            data = client_socket.recv(SEED_RECV_SIZE)
        except OSError:
            break
        if not data:
            break
        try:
            message = data.decode('utf-8')
        except UnicodeDecodeError:
            # The seed does not catch this: the thread dies and the
            # socket is closed when it is collected.  Same effect here.
            emit(**{"from": peer, "decode_error": data.hex()})
            break
        if message.lower() == NAME_QUERY:
            emit(name_query=message, **{"from": peer})
            try:
                replier.send(client_socket)
            except OSError:
                break
            continue
        # Filled in: the seed prints the chunk as a chat line.
        emit(**{"from": peer, "text": message, "raw_hex": data.hex()})
    client_socket.close()
    emit(closed=peer)


def run_server(args):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind((require_loopback(args.host), args.port))
    server.listen(5)
    emit(listening=server.getsockname()[1])
    while True:
        client_socket, address = server.accept()
        emit(connected=[address[0], address[1]])
        thread = threading.Thread(target=handle_client,
                                  args=(client_socket, address, args),
                                  daemon=True)
        thread.start()


# --------------------------------------------------------------------------
# Option 1: connect_to_server() and the chat loop.  Filled in: after
# connecting, the seed reads lines with input() and sends each one to
# every connection; "--ex" breaks, "--ch" asks for one more Ip/Puerto.


def seed_connect(clients, host, port):
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.connect((require_loopback(host), port))
    clients.append(client)
    emit(connected=list(client.getsockname()), to=[host, port])


def pending_bytes(client):
    """What the seed never reads, peeked without consuming it."""
    try:
        data = client.recv(1 << 20, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return "", False
    except OSError:
        return "", True
    return data.hex(), data == b""


def run_client(args):
    clients = []
    error_clients = set()
    seed_connect(clients, args.host, args.port)

    while True:
        try:
            message = input()
        except EOFError:
            break   # the seed would die here; treat it as --ex
        if message.lower() == "--ex":
            break
        elif message.lower() == "--ch":
            try:
                host = input()
                port_input = input()
            except EOFError:
                break
            if not port_input.isdigit():
                emit(error="El puerto debe ser un número entero.")
                continue
            try:
                seed_connect(clients, host, int(port_input))
            except OSError as error:
                emit(error=f"No se pudo conectar al servidor: {error}")
            continue
        elif args.check_unread and message == "::peek":
            # Test hook, not the seed: report pending bytes now.
            for client in clients:
                hex_data, closed = pending_bytes(client)
                emit(pending_hex=hex_data, peer_closed=closed)
            continue
        for client in clients:
            if client in error_clients:
                continue
            try:
                client.send(message.encode('utf-8'))
            except OSError as error:
                error_clients.add(client)
                emit(error=str(error))
        emit(sent=message)

    if args.check_unread:
        for client in clients:
            hex_data, closed = pending_bytes(client)
            emit(unread_hex=hex_data, peer_closed=closed)
    for client in clients:
        client.close()
    emit(exited=True)


def exit_at_end_of_stdin():
    while os.read(0, 4096):
        pass
    sys.stdout.flush()
    os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    roles = parser.add_subparsers(dest="role", required=True)

    scan = roles.add_parser("scan", help="the seed's option 0")
    scan.add_argument("--ip", default="127.0.0.1")
    scan.add_argument("--ports", default="9990-10005")
    scan.add_argument("--timeout", type=float, default=SEED_TIMEOUT,
                      help="connect/recv timeout (the seed: 0.1 s)")
    scan.add_argument("--check-extra", type=int, default=0, metavar="MS",
                      help="after the name, wait MS ms for more bytes")
    scan.set_defaults(run=run_scan)

    server = roles.add_parser("server", help="the seed's listener")
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=0)
    server.add_argument("--name", default="Criss")
    server.add_argument("--split-reply", type=int, default=None, metavar="MS")
    server.add_argument("--double-reply", action="store_true")
    server.add_argument("--recv-delay", type=int, default=0, metavar="MS")
    server.set_defaults(run=run_server)

    client = roles.add_parser("client", help="the seed's option 1")
    client.add_argument("--host", default="127.0.0.1")
    client.add_argument("--port", type=int, required=True)
    client.add_argument("--check-unread", action="store_true")
    client.set_defaults(run=run_client)

    args = parser.parse_args()
    if args.role != "client":
        # Not the seed: die with the test that started us.  The client
        # reads stdin itself and stops at its end.
        threading.Thread(target=exit_at_end_of_stdin, daemon=True).start()
    try:
        args.run(args)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
