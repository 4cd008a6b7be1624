# SPDX-License-Identifier: GPL-3.0-or-later
"""TAP for the Python checks in tests/ (meson runs them with protocol: 'tap').

Each result is one "ok N - name" line, printed as it is known; the plan
comes last, from finish(), whose value is the script's exit status.
"""

results = []


def check(name, ok, detail=""):
    """One result; when it failed, `detail` follows as TAP comments.
    Returns `ok`, so a check can guard what depends on it."""
    results.append(ok)
    print(("ok" if ok else "not ok"), len(results), "-", name)
    if not ok and detail:
        for line in str(detail).rstrip().splitlines():
            print("#", line)
    return ok


def skip(name, reason):
    """A result that could not be checked here, and why."""
    results.append(True)
    print(f"ok {len(results)} - {name} # SKIP {reason}")


def finish():
    """Prints the plan; returns 0 when every result passed, else 1."""
    print(f"1..{len(results)}")
    return 0 if all(results) else 1
