#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Line and branch coverage of the core by the fuzz corpora: builds BUILD
# (default _build-cov) with clang's source-based coverage, replays each
# target's corpus (tests/fuzz/corpus/NAME, plus EXTRA/NAME if given, e.g.
# the scratch corpora of a longer fuzzing run) through the standalone
# driver, and prints llvm-cov's report for the files the fuzzers aim at.
#
#   bench/fuzz-coverage.sh [BUILD [EXTRA]]
set -eu

cd "$(dirname "$0")/.."
build=${1:-_build-cov}
extra=${2:-}
flags='-fprofile-instr-generate -fcoverage-mapping'
# Anything instrumented that runs while building writes its profile here.
export LLVM_PROFILE_FILE="$PWD/$build/build-%p.profraw"

if [ ! -f "$build/meson-private/coredata.dat" ]; then
  CC=clang meson setup "$build" -Dc_args="$flags" -Dc_link_args="$flags" >/dev/null
fi
meson compile -C "$build" >/dev/null

rm -f "$build"/fuzz-*.profraw
objects=""
for target in $(sed -n "s/^  '\(fuzz-[a-z-]*\)',$/\1/p" tests/fuzz/meson.build); do
  dirs="tests/fuzz/corpus/$target"
  if [ -n "$extra" ] && [ -d "$extra/$target" ]; then
    dirs="$dirs $extra/$target"
  fi
  # shellcheck disable=SC2086 # one argument per corpus directory
  LLVM_PROFILE_FILE="$build/$target.profraw" CHARLA_LOOPBACK_ONLY=1 \
    "$build/tests/fuzz/$target" $dirs >/dev/null
  if [ -z "$objects" ]; then
    objects="$build/tests/fuzz/$target"
  else
    objects="$objects -object $build/tests/fuzz/$target"
  fi
done

llvm-profdata-14 merge -o "$build/fuzz.profdata" "$build"/fuzz-*.profraw
echo "coverage of the core by the fuzz corpora (llvm-cov):"
# shellcheck disable=SC2086 # one option per object
llvm-cov-14 report -instr-profile "$build/fuzz.profdata" $objects \
  | grep -E 'src/core/charla-(line-splitter|text|wire|endpoint|target-set|peer|command)\.c' \
  | awk '{ printf "%-40s regions %8s  functions %8s  lines %8s  branches %8s\n", $1, $4, $7, $10, $13 }' \
  | sed 's|^.*src/core/|src/core/|'
