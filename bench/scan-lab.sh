#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The scan lab: a private network namespace whose loopback plays a LAN.
# Every 127.0.1.x and 127.0.2.x drops SYNs (a filtered host, like an
# empty LAN address) except a few live nodes (bench/seed-node.py, which
# answers like the seed's server) and one silent listener.  Nothing
# leaves the namespace.  Needs root, ip, iptables, python3; nmap is
# optional.  Run by hand:
#
#   sudo bench/scan-lab.sh [BUILD_DIR] [RUNS]        # default _build, 5
#
# Prints one line of figures per run.  SKIP_SEED=1 skips the slow
# sequential seed scanner (about 80 s); SKIP_SWEEP=1, SKIP_NMAP=1,
# SKIP_ASYNCIO=1 and SKIP_STALL=1 skip the in-flight sweep, nmap, the
# asyncio scanner and the stall benchmark; STALL_ONLY=1 runs only the
# stall benchmark (bench/stall-bench.c: how long sources at default,
# redraw and idle priority wait during scans of shapes B and C).
# STALL_ARGS passes options to stall-bench (e.g. "--in-flight 1024").
# BENCH_NICE=-10 runs charla's scanners and the lab's nodes at that
# niceness, so other work on a shared machine pre-empts them less.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../_build}
runs=${2:-5}
bench=$build/bench/scan-bench
stall_bench=$build/bench/stall-bench
ns=charla-bench-$$
node_pid=

export CHARLA_LOOPBACK_ONLY=1

if [ ! -x "$bench" ]; then
  echo "scan-lab: $bench not built (ninja -C $build)" >&2
  exit 2
fi

cleanup () {
  if [ -n "$node_pid" ]; then kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true; fi
  ip netns delete "$ns" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

in_ns () { ip netns exec "$ns" nice -n "${BENCH_NICE:-0}" "$@"; }

# Shape A, the seed's: 39 hosts (.121-.159) x 16 ports = 624 probes.
shape_a_live="127.0.2.130:9990:Eva 127.0.2.150:10001:Fede 127.0.2.140:9995:-"
# Shape B: a /24 x 16 ports = 4096 probes.
shape_b_live="127.0.1.10:9990:Ana 127.0.1.77:9993:Beto 127.0.1.200:10005:Carla 127.0.1.201:9990:Dario 127.0.1.33:9991:-"
# Shape C: a /20 x 16 ports = 65536 probes, the most a scan may have.
shape_c_live="127.0.16.10:9990:Gala 127.0.23.77:9995:Hugo 127.0.31.200:10005:Ines 127.0.20.5:9991:-"

ip netns add "$ns"
ip -n "$ns" link set lo up
for spec in $shape_a_live $shape_b_live $shape_c_live; do
  in_ns iptables -A INPUT -d "${spec%%:*}" -j ACCEPT
done
in_ns iptables -A INPUT -p tcp --syn -d 127.0.1.0/24 -j DROP
in_ns iptables -A INPUT -p tcp --syn -d 127.0.2.0/24 -j DROP
in_ns iptables -A INPUT -p tcp --syn -d 127.0.16.0/20 -j DROP

coproc nodes { exec ip netns exec "$ns" nice -n "${BENCH_NICE:-0}" python3 "$here/seed-node.py" $shape_a_live $shape_b_live $shape_c_live; }
node_pid=$nodes_PID
read -r ready <&"${nodes[0]}"
[ "$ready" = ready ]

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
echo "# expected A: node=2 silent=1 refused=45 filtered=576"
echo "# expected B: node=4 silent=1 refused=75 filtered=4016"
echo "# expected C: node=3 silent=1 refused=60 filtered=65472"
echo "# load: $(uptime | sed 's/.*load average/load average/')"

run_stall () {  # label targets
  local label=$1; shift
  for _ in $(seq "$runs"); do
    printf '%s stall ' "$label"
    in_ns "$stall_bench" --ports 9990-10005 ${STALL_ARGS:-} "$@"
  done
}

if [ -z "${SKIP_STALL:-}" ]; then
  echo "## stalls: heartbeats at default (0), redraw (120) and idle (200) priority"
  printf 'idle-loop stall '; in_ns "$stall_bench" --idle 2
  run_stall B 127.0.1.0/24
  run_stall C 127.0.16.0/20
  echo "# load: $(uptime | sed 's/.*load average/load average/')"
fi
[ -z "${STALL_ONLY:-}" ] || exit 0

run_ours () {  # label in_flight|default targets
  local label=$1 in_flight=$2; shift 2
  local args=()
  [ "$in_flight" = default ] || args=(--in-flight "$in_flight")
  for _ in $(seq "$runs"); do
    printf '%s charla ' "$label"
    in_ns "$bench" "${args[@]}" --ports 9990-10005 "$@"
  done
}

echo "## charla, default in-flight"
run_ours A default 127.0.2.121-159
run_ours B default 127.0.1.0/24

if [ -z "${SKIP_SWEEP:-}" ]; then
  echo "## charla, in-flight sweep on B"
  for n in 256 512 1024 2048 4096; do
    run_ours "B-sweep" "$n" 127.0.1.0/24
  done
fi

if [ -z "${SKIP_ASYNCIO:-}" ]; then
  echo "## python asyncio, 1024 in flight"
  for _ in $(seq "$runs"); do
    printf 'A asyncio '; in_ns python3 "$here/asyncio-scan.py" 127.0.2. 121 159 9990 10005 1024
    printf 'B asyncio '; in_ns python3 "$here/asyncio-scan.py" 127.0.1. 0 255 9990 10005 1024
  done
fi

if [ -z "${SKIP_NMAP:-}" ] && command -v nmap >/dev/null; then
  echo "## nmap -sT (connect scan, does not ask --name)"
  for _ in $(seq "$runs"); do
    for shape in "A 127.0.2.121-159" "B 127.0.1.0/24"; do
      set -- $shape
      start=$(date +%s.%N)
      open=$(in_ns nmap -sT -Pn -n -p 9990-10005 --max-retries 0 \
               --initial-rtt-timeout 100ms --max-rtt-timeout 100ms -oG - "$2" | grep -o '[0-9]*/open' | wc -l)
      end=$(date +%s.%N)
      printf '%s nmap elapsed_s=%.3f open=%s\n' "$1" "$(echo "$end - $start" | bc)" "$open"
    done
  done
fi

if [ -z "${SKIP_SEED:-}" ]; then
  echo "## the seed's sequential scanner"
  printf 'A seed '; in_ns python3 "$here/seed-scan.py" 127.0.2. 121 159 9990 10005 | head -1
  # The whole /24 would take about 410 s: run 16 hosts (256 probes)
  # and extrapolate linearly (each filtered probe costs one timeout).
  printf 'B-16-hosts seed '; in_ns python3 "$here/seed-scan.py" 127.0.1. 0 15 9990 10005 | head -1
fi
