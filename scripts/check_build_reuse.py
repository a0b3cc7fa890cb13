#!/usr/bin/env python3
"""Check that README's test command reuses every dependency README's first command built.

    python3 scripts/check_build_reuse.py

Runs README's first command (read from README.md, so the check follows the README), lists the
units that build used (`cargo build --release --bin leadscore --message-format=json`, all fresh
by then), then builds the tests (`cargo test --release --no-run --message-format=json`). It fails
when the test build compiles any crate of the first build again, or needs a crate of the first
build in another variant (other features or profile: a different artifact file name). The
second rule holds with a warm target folder too, where both variants may already be cached.
Crates only the tests use are compiled once and listed (there should be none: the criterion
benchmarks are a package of their own).
"""
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWN = {"leadscore"}


def own(name):
    return name.split("@")[0] in OWN


def readme_first_command():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("    cargo run --release -- train "):
            return line.strip()
    sys.exit("README.md has no indented `cargo run --release -- train …` line")


def artifacts(args):
    """{package name: (set of artifact file names, compiled here?)} of one cargo build."""
    out = subprocess.run(["cargo", *args, "--message-format=json-render-diagnostics"], cwd=ROOT,
                         stdout=subprocess.PIPE, check=True, text=True).stdout
    units = {}
    for line in out.splitlines():
        if not line.startswith("{"):
            continue
        msg = json.loads(line)
        if msg.get("reason") != "compiler-artifact":
            continue
        # package_id: "registry+https://…#name@1.2.3", "path+file:///…/leadscore#0.1.0"
        # or (older cargo) "name 1.2.3 (…)"; keyed by name@version.
        pid = msg["package_id"]
        m = re.search(r"#([^@#/]+)@([^#]+)$", pid) or re.match(r"(\S+) (\S+) ", pid)
        name = f"{m.group(1)}@{m.group(2)}" if m else pid
        if "#" in pid and not m:  # a path package: "…/leadscore#0.1.0"
            name = f"{pid.rsplit('/', 1)[-1].split('#')[0]}@{pid.rsplit('#', 1)[-1]}"
        files, compiled = units.get(name, (set(), False))
        files |= {Path(f).name for f in msg["filenames"]}
        units[name] = (files, compiled or not msg["fresh"])
    return units


def main():
    command = readme_first_command()
    print(f"== README's first command\n{command}", flush=True)
    start = time.time()
    subprocess.run(command, shell=True, cwd=ROOT, check=True)
    print(f"-- took {time.time() - start:.0f} s", flush=True)
    first = artifacts(["build", "--release", "--bin", "leadscore"])
    print("== the test build (README's test command without running the tests)", flush=True)
    start = time.time()
    tests = artifacts(["test", "--release", "--no-run"])
    print(f"-- took {time.time() - start:.0f} s", flush=True)

    rebuilt = sorted(n for n, (_, compiled) in tests.items() if compiled and n in first and not own(n))
    variants = sorted(n for n, (files, _) in tests.items()
                      if n in first and not own(n) and not files <= first[n][0])
    test_only = sorted(n for n in tests if n not in first)
    compiled_test_only = sorted(n for n in test_only if tests[n][1])
    print(f"crates of the first build: {len(first)}; the test build uses {len(tests)}")
    print(f"only the tests use ({len(test_only)}): {', '.join(test_only) or 'none'}"
          f" — compiled now: {', '.join(compiled_test_only) or 'none (cached)'}")
    if rebuilt or variants:
        print(f"FAIL: the test build compiled again: {', '.join(rebuilt) or 'none'}; "
              f"needs other variants of: {', '.join(variants) or 'none'}.\n"
              "A dev-dependency (or a feature only tests turn on) changes a shared crate's features; "
              "compare `cargo tree -e normal,build,features` with `cargo tree -e normal,build,dev,features`.")
        sys.exit(1)
    print("OK: every dependency of the first build is reused by the tests")


if __name__ == "__main__":
    main()
