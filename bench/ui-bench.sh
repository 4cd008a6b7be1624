#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The chat view's figures (docs/BENCHMARKS.md): 100,000 messages in the
# chat view (memory, a burst of 10,000, and scrolling down the way a
# person does: a fast mouse wheel, PageDown held, a page per frame from
# top to bottom, and the scrollbar dragged top to bottom in 5 s), and
# 10,000 messages as GtkListBox rows for comparison. Runs under its own
# Xvfb; no network at all.
#
#   flock -o /tmp/charla-bench.lock bench/ui-bench.sh [BUILD_DIR] [RUNS]   # default _build, 3
#
# (-o: the Xvfb this script starts must not inherit the lock.)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../_build}
runs=${2:-3}
bench=$build/bench/ui-bench
export CHARLA_LOOPBACK_ONLY=1 GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1 GDK_BACKEND=x11

in_xvfb () {
  xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" "$@"
}

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# load: $(uptime | sed 's/.*load average: //')"
for run in $(seq "$runs"); do
  echo "## run $run: chat view, 100,000 messages"
  # wheel (71 px = one notch a frame, 3,000 frames), PageDown held (½ page a frame,
  # 3,000 frames), 1 page a frame to the bottom, scrollbar drag (300 frames)
  in_xvfb "$bench" chat --messages 100000 --burst 10000 \
    --scroll px:71:3000 --scroll pages:0.5:3000 --scroll pages:1 --scroll drag:300
done
echo "## GtkListBox, one row per message, 10,000 messages (what the chat view avoids)"
in_xvfb "$bench" listbox --messages 10000
echo "# load after: $(uptime | sed 's/.*load average: //')"
