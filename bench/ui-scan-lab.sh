#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Frame gaps of the Charla window while it scans the scan lab's shape B
# (a /24 x 16 ports of filtered hosts plus live nodes; see scan-lab.sh):
# the window process runs inside the lab's network namespace (netns),
# drawing on an Xvfb outside it (its socket is a file, visible from the
# namespace). Nothing leaves the namespace. Needs root, ip, iptables,
# python3, Xvfb.
#
#   sudo flock -o /tmp/charla-bench.lock bench/ui-scan-lab.sh [BUILD_DIR] [RUNS] [SCANS]
#
# Defaults: _build, 3 runs (processes), 2 scans per run in the same
# window (the first also pays for what GTK loads once).
#
# (-o: the Xvfb this script starts must not inherit the lock.)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../_build}
runs=${2:-3}
scans=${3:-2}
bench=$build/bench/ui-bench
ns=charla-ui-bench-$$
node_pid=
xvfb_pid=
display=:$((200 + $$ % 300))
export CHARLA_LOOPBACK_ONLY=1 GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1 GDK_BACKEND=x11

cleanup () {
  if [ -n "$node_pid" ]; then kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true; fi
  if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; wait "$xvfb_pid" 2>/dev/null || true; fi
  ip netns delete "$ns" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

in_ns () { ip netns exec "$ns" "$@"; }

# The lab's shape B, inside the netns only: 127.0.1.0/24 drops SYNs but
# for four seed-like nodes and one silent listener.
live="127.0.1.10:9990:Ana 127.0.1.77:9993:Beto 127.0.1.200:10005:Carla 127.0.1.201:9990:Dario 127.0.1.33:9991:-"
ip netns add "$ns"
ip -n "$ns" link set lo up
for spec in $live; do
  in_ns iptables -A INPUT -d "${spec%%:*}" -j ACCEPT
done
in_ns iptables -A INPUT -p tcp --syn -d 127.0.1.0/24 -j DROP

coproc nodes { exec ip netns exec "$ns" python3 "$here/seed-node.py" $live; }
node_pid=$nodes_PID
read -r ready <&"${nodes[0]}"
[ "$ready" = ready ]

Xvfb "$display" -screen 0 1280x1024x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
for _ in $(seq 50); do [ -S "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# load: $(uptime | sed 's/.*load average: //')"
echo "# expected: 5 servers (4 nodes + 1 Anonimo), 4016 filtered, 75 refused"
for run in $(seq "$runs"); do
  echo "## run $run"
  # BENCH_WRAP: a command to run the window under, such as "perf record -g -o FILE".
  in_ns env DISPLAY="$display" ${BENCH_WRAP:-} "$bench" scan --targets 127.0.1.0/24 --ports 9990-10005 --scans "$scans"
done
echo "# load after: $(uptime | sed 's/.*load average: //')"
