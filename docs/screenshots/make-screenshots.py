#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Screenshots of every view of `charla`, from a real run.

    docs/screenshots/make-screenshots.sh BUILD_DIR

runs this three times (light, dark, 360 px wide) inside
tests/ui/run-under-display.sh. Each run starts a seed server ("Criss"),
a charla-cli node ("Beto") and the window ("Ana", the display name in
the settings make-screenshots.sh gives it) on a loopback address of its
own, then acts through AT-SPI as a person would and grabs the
window with ImageMagick's `import` after each step.
"""

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "ui"))
from charla_atspi import (ESCAPE, SEARCH_LABELS, Atspi, JsonLines, click,  # noqa: E402
                          double_click, find, find_app, find_containing, press,
                          resize_window, start_accessibility_bus, stop_processes, type_into,
                          wait_for, window_id)


def shoot(out_dir, name, title="Charla"):
    time.sleep(0.8)     # let the last frame be drawn
    path = os.path.join(out_dir, name + ".png")
    subprocess.run(["import", "-window", window_id(title, min_width=300), path], check=True)
    print(f"wrote {path}", flush=True)


def must(what, value):
    if not value:
        raise SystemExit(f"make-screenshots: no {what}")
    return value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("--suffix", default="")
    parser.add_argument("--width", type=int, default=0)
    parser.add_argument("--all", action="store_true", help="every view, not just the main ones")
    args = parser.parse_args()

    pid = os.getpid()
    address = f"127.68.{pid % 250}.{1 + (pid // 250) % 250}"
    python = os.environ.get("PYTHON", sys.executable)
    children = []
    suffix = args.suffix

    try:
        children.append(start_accessibility_bus())
        seed = subprocess.Popen([python, os.environ["CHARLA_SEED_PEER"], "server", "--host", address,
                                 "--port", "9990", "--name", "Criss"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        children.append(seed)
        seed_events = JsonLines(seed.stdout)
        must("seed server", seed_events.wait(lambda e: "listening" in e))

        beto = subprocess.Popen([os.environ["CHARLA_CLI"], "chat", "--json", "--name", "Beto",
                                 "--bind", address, "--port", "9992"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        children.append(beto)
        beto_events = JsonLines(beto.stdout)
        must("Beto", beto_events.wait(lambda e: e.get("type") == "listening"))

        env = dict(os.environ)
        env.pop("GTK_A11Y", None)
        env.pop("NO_AT_BRIDGE", None)
        app_process = subprocess.Popen([os.environ["CHARLA_APP"], "--bind", address,
                                        "--ports", "9991"], env=env)
        children.append(app_process)
        app = must("charla", wait_for("charla", find_app))
        must("window", wait_for("window", lambda: window_id("Charla")))
        if args.width:
            resize_window("Charla", args.width, 720)
            time.sleep(0.5)

        addresses = must("Addresses", wait_for("Addresses", lambda: find(app, "text", ("Addresses",))))
        Atspi.EditableText.set_text_contents(addresses, address)
        Atspi.EditableText.set_text_contents(find(app, "text", ("Ports",)), "9990-9995")
        if args.all:
            shoot(args.out_dir, "servers-empty" + suffix)

        must("search button", find(app, "push button", SEARCH_LABELS)).do_action(0)
        criss = must("Criss", wait_for("Criss", lambda: find(app, "list item", ("Criss",))))
        must("Beto's row", wait_for("Beto", lambda: find(app, "list item", ("Beto",))))
        summary = must("summary", wait_for("summary", lambda: find_containing(app, "push button", " · ")))
        shoot(args.out_dir, "servers" + suffix)

        if args.all:
            summary.do_action(0)
            must("report", wait_for("report", lambda: window_id("Scan Report")))
            shoot(args.out_dir, "scan-report" + suffix, "Scan Report")
            press(ESCAPE)
            wait_for("report closed", lambda: window_id("Scan Report") is None)

        double_click(criss)
        must("seed connection", seed_events.wait(lambda e: "connected" in e))
        must("Servers tab", find(app, "page tab", ("Servers",))).do_action(0)
        time.sleep(0.5)
        double_click(must("Beto", find(app, "list item", ("Beto",))))
        must("Beto's peer", beto_events.wait(lambda e: e.get("type") == "peer-joined"))

        entry = must("entry", wait_for("entry", lambda: find(app, "text", ("Message",))))
        type_into(entry, "¡Hola a los dos! ¿Quién se apunta a un café?")
        must("seed reading", seed_events.wait(lambda e: "café" in (e.get("text") or "")))
        beto.stdin.write("Yo me apunto. Dame cinco minutos, que termino de revisar el informe "
                         "de la red y bajo enseguida.\n")
        beto.stdin.flush()
        client = subprocess.Popen([python, os.environ["CHARLA_SEED_PEER"], "client", "--host", address,
                                   "--port", "9991"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        children.append(client)
        JsonLines(client.stdout)
        time.sleep(0.5)
        client.stdin.write("Criss aquí, desde el programa semilla: ¡voy!\n")
        client.stdin.flush()
        must("reply", wait_for("reply", lambda: find_containing(app, "label", "desde el programa semilla")))
        type_into(entry, "--name")
        time.sleep(0.5)
        shoot(args.out_dir, "chat" + suffix)

        must("People tab", find(app, "page tab", ("People",))).do_action(0)
        shoot(args.out_dir, "people" + suffix)

        if args.all:
            click(must("Connect button", find(app, "push button", ("Connect…",))))
            dialog_host = must("dialog", wait_for("dialog", lambda: find(app, "text", ("IP Address",))))
            Atspi.EditableText.set_text_contents(find(app, "text", ("Port",)), "9999")
            type_into(dialog_host, address)
            must("error", wait_for("error", lambda: find_containing(app, "label", "efused")))
            shoot(args.out_dir, "connect-dialog" + suffix, "Connect to a Server")
            press(ESCAPE)
            wait_for("dialog closed", lambda: window_id("Connect to a Server") is None)

            # The preferences (the desktop engineer's window), from the menu.
            # GtkMenuButton (4.8): the labelled node holds the toggle button.
            menu = must("main menu", find(app, "push button", ("Main Menu",)))
            (menu.get_child_at_index(0) if menu.get_n_actions() == 0 else menu).do_action(0)
            must("Preferences item",
                 wait_for("Preferences item", lambda: find(app, "menu item", ("Preferences",)))).do_action(0)
            must("preferences", wait_for("preferences", lambda: window_id("Preferences")))
            shoot(args.out_dir, "preferences" + suffix, "Preferences")
            press(ESCAPE)
            wait_for("preferences closed", lambda: window_id("Preferences") is None)

            # The shortcuts window, through the window's own action.
            frame = must("window", find(app, "frame", ("Charla",)))
            names = [Atspi.Action.get_action_name(frame, i) for i in range(frame.get_n_actions())]
            frame.do_action(names.index("win.show-help-overlay"))
            # It has no title of its own: X knows it by the program's name.
            must("shortcuts", wait_for("shortcuts", lambda: window_id("charla", min_width=400)))
            shoot(args.out_dir, "shortcuts" + suffix, "charla")
    finally:
        stop_processes(children)


if __name__ == "__main__":
    main()
