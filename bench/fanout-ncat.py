#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fan-out benchmark: a CharlaNode and `ncat --broker`, side by side.

Runs bench/fanout-bench (built by meson) for each target and prints a
Markdown table. Everything stays on 127.0.0.1; ncat is started on a free
port and stopped at the end, whatever happens.

    ninja -C _build_fanout bench/fanout-bench
    bench/fanout-ncat.py --bench _build_fanout/bench/fanout-bench

Each row is the median of --repeat runs (by deliveries/s for bursts, by
p99 for paced runs); every run's RESULT line is printed as it finishes.
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time

RUN_TIMEOUT_S = 90


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_listening(port, deadline):
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class Broker:
    """ncat --broker on a free loopback port, for one run."""

    def __init__(self, ncat, peers):
        self.port = free_port()
        # 100 receivers + the sender exceed ncat's default of 100 clients.
        self.process = subprocess.Popen(
            [ncat, "-l", "--broker", "--max-conns", str(peers + 16),
             "127.0.0.1", str(self.port)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        if not wait_listening(self.port, time.monotonic() + 10):
            self.stop()
            raise RuntimeError("ncat --broker did not start listening")

    def cpu_seconds(self):
        """User + system time ncat has used so far."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def parse_result(output):
    for line in output.splitlines():
        if line.startswith("RESULT "):
            return dict(field.split("=", 1) for field in line.split()[1:])
    return None


def run_bench(bench, args):
    env = dict(os.environ, CHARLA_LOOPBACK_ONLY="1")
    completed = subprocess.run([bench] + args, env=env, capture_output=True,
                               text=True, timeout=RUN_TIMEOUT_S)
    result = parse_result(completed.stdout)
    if completed.returncode != 0 or result is None:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise RuntimeError("fanout-bench failed: " + " ".join(args))
    print(next(line for line in completed.stdout.splitlines()
               if line.startswith("RESULT ")), flush=True)
    return result


def run_target(options, target, dialect, extra):
    args = ["--peers", str(options.peers)] + extra
    if target == "broker":
        broker = Broker(options.ncat, options.peers)
        try:
            result = run_bench(options.bench, args + ["--target", "broker",
                                                      "--port", str(broker.port)])
            # Includes accepting the clients and the warm-up: a little high.
            result["sender_cpu_s"] = f"{broker.cpu_seconds():.3f}"
            return result
        finally:
            broker.stop()
    return run_bench(options.bench, args + ["--target", "node", "--dialect", dialect])


def median_run(options, target, dialect, extra, key, reverse):
    runs = [run_target(options, target, dialect, extra) for _ in range(options.repeat)]
    runs.sort(key=lambda r: float(r[key]), reverse=reverse)
    return runs[len(runs) // 2], runs


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", default="_build_fanout/bench/fanout-bench",
                        help="path of the built fanout-bench")
    parser.add_argument("--ncat", default=shutil.which("ncat") or "ncat")
    parser.add_argument("--peers", type=int, default=100)
    parser.add_argument("--burst", type=int, nargs="+", default=[10000, 100000],
                        help="burst sizes in messages (default 10000 100000)")
    parser.add_argument("--seed-burst", type=int, nargs="+", default=[10000, 30000],
                        help="burst sizes for seed-dialect peers, one write per "
                             "message each (default 10000 30000)")
    parser.add_argument("--paced", type=int, default=5000,
                        help="messages of the paced run (default 5000)")
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only-ncat", action="store_true",
                        help="skip the CharlaNode runs")
    options = parser.parse_args()

    if not os.access(options.bench, os.X_OK):
        parser.error(f"{options.bench} is not built: ninja -C BUILDDIR bench/fanout-bench")
    if shutil.which(options.ncat) is None:
        parser.error("ncat is missing: apt-get install -y ncat")

    targets = [("broker", "raw", "ncat --broker")]
    if not options.only_ncat:
        targets = [("node", "charla", "Charla, framed peers"),
                   ("node", "seed", "Charla, seed-dialect peers")] + targets

    rows = []
    for target, dialect, label in targets:
        for messages in options.seed_burst if dialect == "seed" else options.burst:
            best, runs = median_run(options, target, dialect,
                                    ["--messages", str(messages)],
                                    "deliveries_per_s", True)
            rows.append((label, f"burst {messages} × {options.peers}", best, runs))
        best, runs = median_run(options, target, dialect,
                                ["--messages", str(options.paced), "--rate", str(options.rate)],
                                "p99_ms", False)
        rows.append((label, f"{options.rate:.0f}/s × {options.peers}, {options.paced} msgs",
                     best, runs))

    print()
    print(f"{os.cpu_count()} CPUs, nothing pinned; median of {options.repeat} runs")
    print()
    print("| sender | run | deliveries/s | p50 ms | p99 ms | max ms "
          "| sender CPU µs/delivery | lost (all runs) | peers dropped |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, run, best, runs in rows:
        lost = sum(int(r["lost"]) + int(r["out_of_order"]) for r in runs)
        dropped = sum(int(r["dropped"]) for r in runs)
        cpu_us = float(best["sender_cpu_s"]) * 1e6 / max(int(best["deliveries"]), 1)
        print(f"| {label} | {run} | {float(best['deliveries_per_s']):,.0f} | {best['p50_ms']} | "
              f"{best['p99_ms']} | {best['max_ms']} | {cpu_us:.2f} | {lost} | {dropped} |")


if __name__ == "__main__":
    main()
