#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Installs Charla into a temporary DESTDIR and checks what landed there.

Every installed file must be one we expect, every expected file must be
there, and each is validated by the tool its consumers use: the desktop
entry by desktop-file-validate, the metainfo by appstreamcli, the schema by
glib-compile-schemas, the icons as SVG, the catalogues by Python's gettext
(which reads .mo files the way GLib does). It also checks that the files
agree with each other: the launcher runs the installed program, shows the
installed icon, and the metainfo names that launcher and program.

Usage: check-install.py --build-root DIR --source-root DIR --prefix P
       --bindir D --datadir D --localedir D --app-id ID --version V

Prints TAP; skips when the build has no GTK app to install yet.
"""

import argparse
import configparser
import gettext
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

from charla_tap import check, finish, skip

def run_tool(name, tool, *args):
    path = shutil.which(tool)
    if path is None:
        skip(name, f"{tool} not found")
        return
    result = subprocess.run([path, *args], capture_output=True, text=True)
    check(name, result.returncode == 0, result.stdout + result.stderr)


def main():
    parser = argparse.ArgumentParser()
    for option in ("build-root", "source-root", "prefix", "bindir", "datadir",
                   "localedir", "app-id", "version"):
        parser.add_argument("--" + option, required=True)
    parser.add_argument("--launcher-test")
    parser.add_argument("--display-runner")
    options = parser.parse_args()
    app_id = options.app_id

    if not os.path.exists(os.path.join(options.build_root, "src", "ui", "charla")):
        print("1..0 # SKIP src/ui builds no charla program yet")
        return 0

    def under(directory, *parts):
        return os.path.join(options.prefix, directory, *parts).lstrip("/")

    linguas = []
    with open(os.path.join(options.source_root, "po", "LINGUAS"), encoding="utf-8") as f:
        for line in f:
            linguas += line.split("#")[0].split()

    expected = {
        under(options.bindir, "charla"),
        under(options.bindir, "charla-cli"),
        under(options.datadir, "applications", app_id + ".desktop"),
        under(options.datadir, "metainfo", app_id + ".metainfo.xml"),
        under(options.datadir, "glib-2.0", "schemas", app_id + ".gschema.xml"),
        under(options.datadir, "icons", "hicolor", "scalable", "apps", app_id + ".svg"),
        under(options.datadir, "icons", "hicolor", "symbolic", "apps", app_id + "-symbolic.svg"),
    }
    expected |= {under(options.localedir, lang, "LC_MESSAGES", "charla.mo") for lang in linguas}

    with tempfile.TemporaryDirectory(prefix="charla-install-") as destdir:
        result = subprocess.run(
            ["meson", "install", "-C", options.build_root, "--no-rebuild",
             "--quiet", "--destdir", destdir],
            capture_output=True, text=True)
        if not check("meson install into a DESTDIR", result.returncode == 0,
                     result.stdout + result.stderr):
            return finish()

        installed = set()
        for root, _dirs, files in os.walk(destdir):
            for name in files:
                installed.add(os.path.relpath(os.path.join(root, name), destdir))

        missing = sorted(expected - installed)
        unexpected = sorted(installed - expected)
        check("every expected file is installed", not missing,
              "missing: " + " ".join(missing))
        check("nothing else is installed", not unexpected,
              "unexpected: " + " ".join(unexpected))

        def dest(path):
            return os.path.join(destdir, path)

        bindir = dest(under(options.bindir))
        for program in ("charla", "charla-cli"):
            check(f"{program} is executable",
                  os.access(os.path.join(bindir, program), os.X_OK))

        # The desktop entry.
        desktop = dest(under(options.datadir, "applications", app_id + ".desktop"))
        run_tool("desktop-file-validate accepts the desktop entry",
                 "desktop-file-validate", desktop)
        entry = configparser.RawConfigParser(strict=False, interpolation=None)
        entry.optionxform = str
        entry.read(desktop, encoding="utf-8")
        section = entry["Desktop Entry"] if entry.has_section("Desktop Entry") else {}
        exec_line = section.get("Exec", "")
        check("the launcher runs the installed charla",
              exec_line.split(" ")[0] == "charla" and
              os.access(os.path.join(bindir, "charla"), os.X_OK), f"Exec={exec_line}")
        check("the launcher's icon is installed, scalable and symbolic",
              section.get("Icon") == app_id and
              os.path.exists(dest(under(options.datadir, "icons", "hicolor", "scalable",
                                        "apps", app_id + ".svg"))) and
              os.path.exists(dest(under(options.datadir, "icons", "hicolor", "symbolic",
                                        "apps", app_id + "-symbolic.svg"))),
              f"Icon={section.get('Icon')}")
        for key in ("Name", "GenericName", "Comment", "Keywords"):
            check(f"the desktop entry has {key} in English and Spanish",
                  bool(section.get(key)) and bool(section.get(key + "[es]")))
        check("the desktop entry is in Network;Chat;InstantMessaging;",
              section.get("Categories") == "Network;Chat;InstantMessaging;",
              section.get("Categories"))
        check("the desktop entry asks for startup notification",
              section.get("StartupNotify") == "true")
        keywords = section.get("Keywords", "").lower().split(";")
        keywords_es = section.get("Keywords[es]", "").lower().split(";")
        check("English keywords include chat, LAN and P2P",
              {"chat", "lan", "p2p"} <= set(keywords), keywords)
        check("Spanish keywords include chat, LAN, P2P and mensajería",
              {"chat", "lan", "p2p", "mensajería"} <= set(keywords_es), keywords_es)

        # The metainfo.
        metainfo = dest(under(options.datadir, "metainfo", app_id + ".metainfo.xml"))
        run_tool("appstreamcli accepts the metainfo",
                 "appstreamcli", "validate", "--no-net", "--explain", metainfo)
        component = ElementTree.parse(metainfo).getroot()
        check("the metainfo id is the app id", component.findtext("id") == app_id)
        launchable = component.find("launchable[@type='desktop-id']")
        check("the metainfo launches the installed desktop entry",
              launchable is not None and launchable.text == app_id + ".desktop")
        binaries = [b.text for b in component.findall("provides/binary")]
        check("every binary the metainfo provides is installed",
              binaries and all(os.access(os.path.join(bindir, b), os.X_OK)
                               for b in binaries), binaries)
        check("the metainfo has a description in Spanish",
              component.find("description/p[@{http://www.w3.org/XML/1998/namespace}lang='es']")
              is not None)
        releases = component.findall("releases/release")
        check("the newest release is the project version",
              bool(releases) and releases[0].get("version") == options.version,
              f"newest release {releases[0].get('version') if releases else None}, "
              f"project {options.version}")
        check("the metainfo has a content rating",
              component.find("content_rating[@type='oars-1.1']") is not None)
        check("the metainfo states the network requirement",
              component.find("supports/internet") is not None)
        images = [i.text for i in component.findall("screenshots/screenshot/image")]
        absent = [i for i in images
                  if "/docs/screenshots/" not in i or not os.path.exists(
                      os.path.join(options.source_root, "docs", "screenshots",
                                   i.rsplit("/docs/screenshots/", 1)[1]))]
        check("every screenshot is one in docs/screenshots", images and not absent,
              "not in docs/screenshots: " + " ".join(absent))

        # The schema: the check glib-compile-schemas makes at install time.
        schemas = dest(under(options.datadir, "glib-2.0", "schemas"))
        run_tool("glib-compile-schemas --strict accepts the installed schema",
                 "glib-compile-schemas", "--strict", "--dry-run", schemas)

        # The icons.
        for kind, name in (("scalable", app_id + ".svg"),
                           ("symbolic", app_id + "-symbolic.svg")):
            path = dest(under(options.datadir, "icons", "hicolor", kind, "apps", name))
            try:
                root = ElementTree.parse(path).getroot()
                ok = root.tag == "{http://www.w3.org/2000/svg}svg"
                detail = root.tag
            except (OSError, ElementTree.ParseError) as error:
                ok, detail = False, error
            check(f"the {kind} icon is an SVG document", ok, detail)

        # The catalogues, read as the app reads them.
        for lang in linguas:
            try:
                catalogue = gettext.translation(
                    "charla", localedir=dest(under(options.localedir)), languages=[lang])
                ok = len(catalogue._catalog) > 1
                detail = ""
            except OSError as error:
                ok, detail = False, error
            check(f"the {lang} catalogue loads and has messages", ok, detail)
        if "es" in linguas:
            catalogue = gettext.translation(
                "charla", localedir=dest(under(options.localedir)), languages=["es"],
                fallback=True)
            for english, spanish in (("Search for Servers", "Buscar servidores"),
                                     ("Preferences", "Preferencias")):
                translated = catalogue.gettext(english)
                check(f"“{english}” is “{spanish}” in Spanish", translated == spanish,
                      translated)

        # The launcher entry as GNOME Shell sees it, once the schema is
        # compiled as meson's post-install step does outside a DESTDIR.
        if options.launcher_test:
            subprocess.run(["glib-compile-schemas", schemas], check=True)
            run_launcher_test(options.launcher_test, options.display_runner, destdir,
                              dest(under(options.datadir)), bindir)

    return finish()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("0.0.0.0", 0))
        return probe.getsockname()[1]


def end_launched(pidfile):
    try:
        with open(pidfile, encoding="utf-8") as f:
            pids = [int(line) for line in f if line.strip()]
    except OSError:
        return
    for pid in pids:
        # Only if it is still ours: its environment names our pid file.
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if f"CHARLA_TEST_PIDFILE={pidfile}".encode() not in f.read().split(b"\0"):
                    continue
        except OSError:
            continue
        try:
            os.kill(pid, signal.SIGTERM)
            print(f"# ended charla (pid {pid}), left running by the launcher test")
        except ProcessLookupError:
            pass


def run_launcher_test(program, runner, destdir, datadir, bindir):
    """Runs test-launcher (a g_test program) under Xvfb in a D-Bus session
    (tests/ui/run-under-display.sh); each of its results becomes one of ours."""
    if shutil.which("Xvfb") is None or shutil.which("dbus-run-session") is None:
        skip("the launcher entry works", "Xvfb or dbus-run-session missing")
        return
    pidfile = os.path.join(destdir, "launched.pids")
    env = dict(os.environ,
               CHARLA_TEST_DATADIR=datadir,
               CHARLA_TEST_BINDIR=bindir,
               CHARLA_TEST_PORT=str(free_port()),
               CHARLA_TEST_PIDFILE=pidfile)
    try:
        result = subprocess.run(["sh", runner, program],
                                env=env, capture_output=True, text=True, timeout=150)
    finally:
        # A charla left running by a failed launch test holds our pipes.
        end_launched(pidfile)
    seen = 0
    for line in result.stdout.splitlines():
        if line.startswith("ok ") or line.startswith("not ok "):
            seen += 1
            ok = line.startswith("ok ")
            name = line.split(" ", 3 if not ok else 2)[-1]
            check(f"launcher: {name}", ok, result.stderr if not ok else "")
        elif line.startswith("#"):
            print(line)
    check("launcher: test-launcher ran to the end", result.returncode == 0 and seen > 0,
          f"exit status {result.returncode}\n{result.stderr}")


if __name__ == "__main__":
    sys.exit(main())
