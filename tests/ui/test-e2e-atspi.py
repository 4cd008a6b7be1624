#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End to end, as a person: the real `charla` and the seed emulator.

Runs inside run-under-display.sh (its own D-Bus session and Xvfb). It
starts the accessibility bus, a seed server ("Criss") and `charla` on a
loopback address of this test's own, then, through AT-SPI only: types
the address and ports to search, finds the "Buscar servidores" (or, until
the translation is in, "Search for Servers") button by its label and
clicks it, double-clicks the seed's row with the mouse, writes in the
message entry, and reads the seed's reply in the window. TAP output.

Every step waits for a state (a row, a line on the seed's stdout, the
scan's summary), never for a fixed time: the machine may be loaded.
"""

import os
import subprocess
import sys
import threading

# libatspi warns about GTK 4 apps it cannot cache ("Error in GetItems ...
# /org/a11y/atspi/cache"), which G_DEBUG=fatal-warnings made a SIGTRAP of
# this client now and then: fatal warnings are for charla, not for us.
APP_G_DEBUG = os.environ.pop("G_DEBUG", None)

from charla_atspi import (SEARCH_LABELS, WAIT_SECONDS, Atspi, JsonLines, double_click,
                          find, find_app, find_containing, start_accessibility_bus,
                          stop_processes, type_into, wait_for)

step = 0


def tap(ok, description):
    global step
    step += 1
    print(("ok" if ok else "not ok") + f" {step} - {description}", flush=True)
    if not ok:
        raise SystemExit(1)


def start_charla(charla, address, env):
    """Starts the window; returns its process, the thread reading its
    stderr, the lines read (filled as they come) and its accessible
    application, or None when it did not show up on the accessibility bus
    (or ended first)."""
    app_process = subprocess.Popen([charla, "--name", "Persona", "--bind", address,
                                    "--ports", "9991-9995"],
                                   env=env, stderr=subprocess.PIPE, text=True)
    stderr_lines = []
    stderr_reader = threading.Thread(target=lambda: stderr_lines.extend(app_process.stderr), daemon=True)
    stderr_reader.start()
    app = wait_for("charla on the accessibility bus",
                   lambda: find_app() or (app_process.poll() is not None and "ended"), seconds=90)
    if app == "ended":
        stderr_reader.join(WAIT_SECONDS)    # all it wrote, up to its end
        app = None
    return app_process, stderr_reader, stderr_lines, app


def main():
    pid = os.getpid()
    address = f"127.67.{pid % 250}.{1 + (pid // 250) % 250}"
    python = os.environ.get("PYTHON", sys.executable)
    seed_peer = os.environ["CHARLA_SEED_PEER"]
    charla = os.environ["CHARLA_APP"]
    children = []

    print("1..8", flush=True)
    try:
        launcher = start_accessibility_bus()
        children.append(launcher)

        seed = subprocess.Popen([python, seed_peer, "server", "--host", address, "--port", "9990",
                                 "--name", "Criss"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        children.append(seed)
        seed_events = JsonLines(seed.stdout)
        tap(seed_events.wait(lambda e: "listening" in e) is not None, "the seed server listens")

        env = dict(os.environ)
        if APP_G_DEBUG is not None:
            env["G_DEBUG"] = APP_G_DEBUG
        # The real accessibility bus, not the widget tests' in-process one.
        env.pop("GTK_A11Y", None)
        env.pop("NO_AT_BRIDGE", None)
        # A first start under a sanitizer on a loaded machine can be slow.
        app_process, stderr_reader, stderr_lines, app = start_charla(charla, address, env)
        children.append(app_process)
        if app is None and app_process.poll() is not None and \
                any("cannot open display" in line for line in stderr_lines):
            # Seen twice in many CI runs, under load, although the display
            # had just been opened by run-under-display.sh: say what the
            # display looks like now, and start once more.
            probe = subprocess.run(["xdpyinfo"], capture_output=True, text=True)
            print(f"# charla could not open {os.environ.get('DISPLAY')}; xdpyinfo now exits "
                  f"{probe.returncode}; starting it again", flush=True)
            app_process, stderr_reader, stderr_lines, app = start_charla(charla, address, env)
            children.append(app_process)
        if app is None:
            print(f"# charla is {'running' if app_process.poll() is None else f'gone ({app_process.returncode})'}",
                  flush=True)
            for line in stderr_lines:
                print(f"# charla: {line.rstrip()}", flush=True)
        tap(app is not None, "charla shows up on the accessibility bus")

        # Where the seed's client half reaches us, read while the Servers
        # page shows it.
        reach = wait_for("the address others reach us at",
                         lambda: find_containing(app, "label", "Others reach you at "))
        port = int(reach.get_name().rsplit(":", 1)[1]) if reach else 0

        addresses = wait_for("the Addresses field", lambda: find(app, "text", ("Addresses",)))
        ports = find(app, "text", ("Ports",))
        Atspi.EditableText.set_text_contents(addresses, address)
        Atspi.EditableText.set_text_contents(ports, "9990-9995")

        button = wait_for("the search button", lambda: find(app, "push button", SEARCH_LABELS))
        tap(button is not None, f"found the button labelled {button.get_name() if button else SEARCH_LABELS}")
        button.do_action(0)

        row = wait_for("the seed's row", lambda: find(app, "list item", ("Criss",)))
        tap(row is not None, "the seed server is listed as Criss")

        # Rows move while the search runs (its progress bar goes away at
        # the end): click once the summary line says it is over.
        wait_for("the end of the search", lambda: find_containing(app, "push button", " · "))
        double_click(row)
        connected = seed_events.wait(lambda e: "connected" in e)
        tap(connected is not None, "a double-click on the row connects to the seed")

        entry = wait_for("the message entry", lambda: find(app, "text", ("Message",)))
        type_into(entry, "hola Criss")
        heard = seed_events.wait(lambda e: "hola Criss" in (e.get("text") or ""))
        tap(heard is not None, "the seed reads what was typed in the entry")

        # The seed's reply: the seed's client half connects to us and writes.
        client = subprocess.Popen([python, seed_peer, "client", "--host", address, "--port", str(port)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        children.append(client)
        client_events = JsonLines(client.stdout)
        client_events.wait(lambda e: "connected" in e)
        client.stdin.write("hola Persona, soy Criss\n")
        client.stdin.flush()
        reply = wait_for("the seed's reply in the window",
                         lambda: find_containing(app, "label", "hola Persona, soy Criss"))
        tap(reply is not None, "the seed's reply shows in the chat")

        app_process.terminate()
        app_process.wait(timeout=WAIT_SECONDS)
        stderr_reader.join(WAIT_SECONDS)    # all it wrote, up to its end
        warnings = [line.rstrip() for line in stderr_lines
                    if "WARNING" in line or "CRITICAL" in line or "ERROR" in line]
        for line in warnings:
            print(f"# charla: {line}", flush=True)
        tap(not warnings, "charla printed no warning")
    finally:
        stop_processes(children)


if __name__ == "__main__":
    main()
