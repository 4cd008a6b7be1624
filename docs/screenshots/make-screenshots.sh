#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Makes docs/screenshots/*.png from a real run of the build in BUILD_DIR
# (default _build): every view in the light style, the main ones in the
# dark style and at 360 px wide. Loopback only. Needs Xvfb, D-Bus,
# AT-SPI, python3-gi and ImageMagick (all in .ci/install-deps).
set -eu
cd "$(dirname "$0")/../.."
build=${1:-_build}
out=docs/screenshots
python=/usr/bin/python3

export CHARLA_LOOPBACK_ONLY=1 GSK_RENDERER=cairo LC_ALL=C.UTF-8
export CHARLA_APP="$build/src/ui/charla" CHARLA_CLI="$build/src/cli/charla-cli"
export GSETTINGS_SCHEMA_DIR="$build/data"
export CHARLA_SEED_PEER=tests/seed-peer.py PYTHON=$python

# The window is the user's own Charla, named by the preferences, not a
# node started with --name (whose preferences say it keeps that name):
# fresh settings for each run, with the display name set.
config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT INT TERM
export GSETTINGS_BACKEND=keyfile XDG_CONFIG_HOME="$config"

run () {
  rm -rf "$config/glib-2.0"
  mkdir -p "$config/glib-2.0/settings"
  printf '[io/github/charla/Charla]\ndisplay-name=%s\n' "'Ana'" >"$config/glib-2.0/settings/keyfile"
  tests/ui/run-under-display.sh "$python" docs/screenshots/make-screenshots.py "$out" "$@"
}

run --all
ADW_DEBUG_COLOR_SCHEME=prefer-dark run --suffix=-dark
run --suffix=-narrow --width 360
