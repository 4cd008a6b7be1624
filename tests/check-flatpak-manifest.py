#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks flatpak/io.github.charla.Charla.json as far as it can be checked
without building it (building needs the GNOME runtime from a remote):

- it is valid JSON (and flatpak-builder parses it, where installed);
- its id is the app id of meson.build, the desktop entry, the metainfo and
  the settings schema, and it runs the program the launcher runs;
- it uses the GNOME runtime and SDK of a release with GTK >= 4.8 and
  libadwaita >= 1.2;
- every finish arg is one the app needs (each is explained below), and
  every one it needs is there;
- the Charla module builds with meson, from this source tree, with the
  options CI uses, and runs the tests.

Usage: check-flatpak-manifest.py SOURCE_ROOT APP_ID PROGRAM. Prints TAP.
"""

import configparser
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

from charla_tap import check, finish, skip

# What the app needs from outside the sandbox, and why.
NEEDED_FINISH_ARGS = {
    "--share=network": "the chat itself: listening for peers, scanning and connecting on the LAN",
    "--share=ipc": "X11 shared memory, needed by the X11 fallback",
    "--socket=wayland": "the window, on Wayland",
    "--socket=fallback-x11": "the window, on X11 sessions only (not also under Wayland)",
    "--device=dri": "GTK 4 draws with OpenGL/Vulkan",
}
# Notifications go through the notification portal, which every sandbox
# may talk to: no --talk-name is needed. Settings go to the sandbox's own
# dconf key file: no dconf access is needed. No files are read or written.

def ci_meson_options(source_root):
    """The options of CI's first meson setup (the one README's tests run in)."""
    with open(os.path.join(source_root, ".ci", "run"), encoding="utf-8") as f:
        for line in f:
            match = re.match(r"\s*meson setup _build (.*)$", line)
            if match:
                return [o for o in shlex.split(match.group(1)) if o.startswith("-")]
    return None


def main():
    source_root, app_id, program = sys.argv[1:4]
    path = os.path.join(source_root, "flatpak", app_id + ".json")

    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as error:
        check("the manifest is valid JSON", False, error)
        return finish()
    check("the manifest is valid JSON", isinstance(manifest, dict))

    # flatpak-builder's own parser knows every key; run it where installed.
    builder = shutil.which("flatpak-builder")
    if builder is None:
        skip("flatpak-builder parses the manifest", "flatpak-builder not installed")
    else:
        with tempfile.TemporaryDirectory(prefix="charla-flatpak-") as state:
            result = subprocess.run([builder, "--show-manifest", os.path.abspath(path)],
                                    capture_output=True, text=True, cwd=state)
        check("flatpak-builder parses the manifest", result.returncode == 0, result.stderr)

    check("its id is the app id of meson.build", manifest.get("id") == app_id,
          f"id {manifest.get('id')!r}, meson app_id {app_id!r}")

    desktop = configparser.RawConfigParser(strict=False, interpolation=None)
    desktop.optionxform = str
    desktop.read(os.path.join(source_root, "data", app_id + ".desktop.in"), encoding="utf-8")
    entry = desktop["Desktop Entry"] if desktop.has_section("Desktop Entry") else {}
    check("the desktop entry data/ID.desktop.in exists and shows the app's icon",
          entry.get("Icon") == app_id, entry.get("Icon"))

    metainfo = ElementTree.parse(os.path.join(source_root, "data", app_id + ".metainfo.xml.in"))
    check("the metainfo has the same id", metainfo.getroot().findtext("id") == app_id)
    launchable = metainfo.getroot().findtext("launchable[@type='desktop-id']")
    check("the metainfo launches the desktop entry of that id", launchable == app_id + ".desktop",
          launchable)

    schema = ElementTree.parse(os.path.join(source_root, "data", app_id + ".gschema.xml"))
    check("the settings schema has the same id",
          schema.getroot().find(f"schema[@id='{app_id}']") is not None)

    command = manifest.get("command")
    exec_program = entry.get("Exec", "").split(" ")[0]
    check("it runs the program meson builds for the launcher",
          command == program == exec_program,
          f"command {command!r}, meson program {program!r}, desktop Exec {exec_program!r}")

    version = str(manifest.get("runtime-version", ""))
    check("it runs on the GNOME runtime and builds with the GNOME SDK",
          manifest.get("runtime") == "org.gnome.Platform" and manifest.get("sdk") == "org.gnome.Sdk",
          f"{manifest.get('runtime')} / {manifest.get('sdk')}")
    check("the runtime is a GNOME release with GTK >= 4.8 and libadwaita >= 1.2 (43 or later)",
          version.isdigit() and int(version) >= 43, f"runtime-version {version!r}")

    finish_args = manifest.get("finish-args", [])
    unneeded = [a for a in finish_args if a not in NEEDED_FINISH_ARGS]
    missing = [a for a in NEEDED_FINISH_ARGS if a not in finish_args]
    check("every finish arg is one the app needs", not unneeded,
          "not needed: " + " ".join(unneeded))
    check("every finish arg the app needs is there", not missing,
          "missing: " + " ".join(f"{a} ({NEEDED_FINISH_ARGS[a]})" for a in missing))
    check("no finish arg is given twice", len(set(finish_args)) == len(finish_args))

    modules = manifest.get("modules", [])
    charla = [m for m in modules if isinstance(m, dict) and m.get("name") == "charla"]
    check("the last module is Charla", bool(modules) and modules[-1] in charla)
    module = charla[0] if charla else {}
    check("Charla builds with meson", module.get("buildsystem") == "meson")
    ci_options = ci_meson_options(source_root)
    check("Charla builds with the meson options CI uses",
          ci_options is not None and sorted(module.get("config-opts", [])) == sorted(ci_options),
          f"config-opts {module.get('config-opts')}, CI {ci_options}")
    check("the build runs the tests", module.get("run-tests") is True)
    sources = module.get("sources", [])
    dirs = [s for s in sources if s.get("type") == "dir"]
    source_ok = len(dirs) == 1 and os.path.samefile(
        os.path.join(source_root, "flatpak", dirs[0].get("path", "")), source_root)
    check("Charla builds from this source tree", source_ok, sources)

    return finish()


if __name__ == "__main__":
    sys.exit(main())
