#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a UI test program in a D-Bus session of its own under a private
# Xvfb server, so UI tests never need (or touch) a real desktop.
set -eu
exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" "$@"
