# SPDX-License-Identifier: GPL-3.0-or-later
"""Acting on the real `charla` as a person, through AT-SPI and XTest.

Shared by tests/ui/test-e2e-atspi.py and docs/screenshots/make-screenshots.py.
Both run inside run-under-display.sh: their own D-Bus session and Xvfb,
no window manager, so a window sits at the screen's origin.
"""

import ctypes
import json
import queue
import re
import subprocess
import threading
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, Gio, GLib  # noqa: E402

WAIT_SECONDS = 20
SEARCH_LABELS = ("Buscar servidores", "Search for Servers")


def _a11y_bus_owned():
    session = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    reply = session.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                              "NameHasOwner", GLib.Variant("(s)", ("org.a11y.Bus",)),
                              GLib.VariantType("(b)"), Gio.DBusCallFlags.NONE, -1, None)
    return reply.unpack()[0]


def start_accessibility_bus():
    """Starts the accessibility bus and returns once it is on the session
    bus. An application started before that asks D-Bus to activate a
    launcher of its own, and on a loaded machine two launchers raced."""
    # Its registry daemon says hello on stdout, which is TAP for tests.
    launcher = subprocess.Popen(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"],
                                stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + WAIT_SECONDS
    while not _a11y_bus_owned() and time.monotonic() < deadline and launcher.poll() is None:
        time.sleep(0.05)
    return launcher


def wait_for(what, probe, seconds=WAIT_SECONDS):
    """Polls probe() until it returns something true, for `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = probe()
        except Exception:   # the tree changes under our feet
            found = None
        if found:
            return found
        time.sleep(0.1)
    print(f"# timed out waiting for {what}", flush=True)
    return None


def walk(accessible, depth=0):
    if accessible is None or depth > 60:
        return
    yield accessible
    for i in range(accessible.get_child_count()):
        yield from walk(accessible.get_child_at_index(i), depth + 1)


# GTK 4.8 does not report SHOWING; VISIBLE is what it has.
def find(root, role, names):
    for node in walk(root):
        if node.get_role_name() == role and node.get_name() in names and \
                node.get_state_set().contains(Atspi.StateType.VISIBLE):
            return node
    return None


def find_containing(root, role, text):
    for node in walk(root):
        if node.get_role_name() == role and text in (node.get_name() or ""):
            return node
    return None


def find_app(name="charla"):
    desktop = Atspi.get_desktop(0)
    # libatspi keeps the desktop's children from its first look and then
    # follows events; an application that registered in between was never
    # seen (a 90 s timeout under load). Ask the registry afresh each time.
    desktop.clear_cache()
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is not None and app.get_name() == name:
            return app
    return None


def center(accessible):
    extents = accessible.get_extents(Atspi.CoordType.WINDOW)
    # Without a window manager the window sits at the screen's origin,
    # so window coordinates are screen coordinates.
    return extents.x + extents.width // 2, extents.y + extents.height // 2


def click(accessible):
    x, y = center(accessible)
    Atspi.generate_mouse_event(x, y, "b1c")


def double_click(accessible):
    x, y = center(accessible)
    Atspi.generate_mouse_event(x, y, "b1d")


def press(keysym):
    Atspi.generate_keyboard_event(keysym, None, Atspi.KeySynthType.SYM)


RETURN = 0xff0d
ESCAPE = 0xff1b


def type_into(entry, text, enter=True):
    """Fills an entry and presses Enter in it. (GTK 4.8's accessible
    "activate" on a GtkEntry does not reach the entry.)"""
    Atspi.EditableText.set_text_contents(entry, text)
    if enter:
        click(entry)
        # Enter goes where the keyboard focus is: wait for the click to
        # have put it in the entry.
        wait_for("the focus in the entry", lambda: entry.get_state_set().contains(Atspi.StateType.FOCUSED),
                 seconds=5)
        press(RETURN)


class JsonLines:
    """Reads a child's JSON lines on a thread, so waits have deadlines."""

    def __init__(self, stream):
        self.lines = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            try:
                self.lines.put(json.loads(line))
            except ValueError:
                pass

    def wait(self, predicate, seconds=WAIT_SECONDS):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                event = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if predicate(event):
                return event
        return None


def window_id(title, min_width=0):
    """The X window id of a toplevel called `title` at least `min_width`
    wide (popovers are toplevels too), as text, or None."""
    tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True).stdout
    for line in tree.splitlines():
        match = re.match(r'\s*(0x[0-9a-f]+) "(.*)": \(.*\)\s+(\d+)x(\d+)', line)
        if match and match.group(2) == title and int(match.group(3)) >= min_width:
            return match.group(1)
    return None


def resize_window(title, width, height):
    """Resizes the X window called `title`: without a window manager
    nothing else can, and GTK follows the new size."""
    xlib = ctypes.CDLL("libX11.so.6")
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XResizeWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_uint, ctypes.c_uint]
    xlib.XFlush.argtypes = [ctypes.c_void_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    window = window_id(title)
    if window is None:
        return False
    display = xlib.XOpenDisplay(None)
    xlib.XResizeWindow(display, int(window, 16), width, height)
    xlib.XFlush(display)
    xlib.XCloseDisplay(display)
    return True


def stop_processes(processes):
    """Ends what a script started, the last started first: a polite
    SIGTERM, then SIGKILL for one that does not end within 5 s."""
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
