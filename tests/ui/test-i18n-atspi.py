#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The real `charla` speaks the user's language, as seen through AT-SPI.

Runs inside run-under-display.sh. Starts `charla` under es_ES.UTF-8 and
finds the button labelled "Buscar servidores" (the seed's words) and the
page "Servidores", and no English label; then under C.UTF-8 finds "Search
for Servers" and "Servers". The catalogue comes from the build tree
(CHARLA_LOCALEDIR), as `meson devenv` runs it. TAP output.
"""

import os
import subprocess
import sys
import threading
import time

# libatspi warns about GTK 4 apps it cannot cache ("Error in GetItems"):
# fatal warnings are for charla, not for this client.
APP_G_DEBUG = os.environ.pop("G_DEBUG", None)

from charla_atspi import Atspi, find, find_app, start_accessibility_bus, wait_for, walk

LANGUAGES = [
    # locale, search button, servers page, labels that must not show
    ("es_ES.UTF-8", "Buscar servidores", "Servidores", ("Search for Servers",)),
    ("C.UTF-8", "Search for Servers", "Servers", ("Buscar servidores",)),
]

step = 0
failed = False


def tap(ok, description):
    global step, failed
    step += 1
    failed = failed or not ok
    print(("ok" if ok else "not ok") + f" {step} - {description}", flush=True)
    return ok


def locale_exists(name):
    available = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
    wanted = name.lower().replace("utf-8", "utf8")
    return any(a.lower().replace("utf-8", "utf8") == wanted for a in available)


def visible_names(app):
    return {node.get_name() for node in walk(app)
            if node.get_name() and node.get_state_set().contains(Atspi.StateType.VISIBLE)}


def run_in(locale, search_label, page_label, absent, address):
    env = dict(os.environ)
    # The real accessibility bus, not the widget tests' in-process one.
    env.pop("GTK_A11Y", None)
    env.pop("NO_AT_BRIDGE", None)
    env.pop("LANGUAGE", None)
    env["LC_ALL"] = locale
    env["CHARLA_LOCALEDIR"] = os.environ["CHARLA_LOCALEDIR"]
    if APP_G_DEBUG is not None:
        env["G_DEBUG"] = APP_G_DEBUG

    def start():
        process = subprocess.Popen([os.environ["CHARLA_APP"], "--name", "Persona",
                                    "--bind", address, "--ports", "9991-9995"],
                                   env=env, stderr=subprocess.PIPE, text=True)
        lines = []
        threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True).start()
        return process, lines

    app_process, stderr_lines = start()
    # Seen only with many UI tests at once: the X server turns the very
    # first client away. Once is tolerated, and said.
    for _ in range(30):
        if app_process.poll() is not None:
            break
        time.sleep(0.1)
    time.sleep(0.2)
    if app_process.poll() is not None and any("cannot open display" in line for line in stderr_lines):
        print("# charla could not open the display at once; starting it again", flush=True)
        app_process, stderr_lines = start()
    try:
        # A first start under the sanitizers on a busy machine is slow.
        app = wait_for("charla on the accessibility bus", find_app, seconds=90)
        tap(app is not None, f"{locale}: charla shows up on the accessibility bus")
        if app is None:
            print(f"# charla {'exited with ' + str(app_process.poll()) if app_process.poll() is not None else 'still runs'}",
                  flush=True)
            for line in stderr_lines[-20:]:
                print("# " + line.rstrip(), flush=True)
            return
        button = wait_for(f"the button “{search_label}”",
                          lambda: find(app, "push button", (search_label,)))
        tap(button is not None, f"{locale}: the search button says “{search_label}”")
        names = visible_names(app)
        tap(page_label in names, f"{locale}: the servers page is called “{page_label}”")
        shown = [label for label in absent if label in names]
        tap(not shown, f"{locale}: no label of the other language shows"
            + (f" (found {shown})" if shown else ""))
    finally:
        app_process.terminate()
        try:
            app_process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app_process.kill()
            app_process.wait()
        # The next charla must not be mistaken for this one.
        wait_for("charla to leave the accessibility bus", lambda: find_app() is None, seconds=60)


def main():
    pid = os.getpid()
    # A loopback address of this test's own: nothing else listens there.
    address = f"127.68.{pid % 250}.{1 + (pid // 250) % 250}"
    print(f"1..{2 + 4 * len(LANGUAGES)}", flush=True)

    if not tap(locale_exists("es_ES.UTF-8"), "the es_ES.UTF-8 locale exists"):
        print("Bail out! no es_ES.UTF-8 locale: run .ci/install-deps as root", flush=True)
        return 1

    bus = start_accessibility_bus()
    try:
        for locale, search_label, page_label, absent in LANGUAGES:
            run_in(locale, search_label, page_label, absent, address)
    finally:
        bus.terminate()
        bus.wait()
    tap(True, "every charla ended")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
