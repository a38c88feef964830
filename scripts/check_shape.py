#!/usr/bin/env python3
"""The house rules that a reader can check by counting (DEVELOPERS.md):
no source file over 400 lines, no function over 60 lines. Looks at the C++
of cache/, analysis/, sidecars/ and fs/ (tests and benchmarks are exempt),
prints every breach, exits 1 if there is one.

A function is a definition that starts at column 0 and ends at the first
'}' in column 0 after it; its length counts from the signature's first line
to that brace, as a reader sees it."""
import os, re, sys

ROOTS = ["cache", "analysis", "sidecars", "fs"]
MAX_FILE, MAX_FUNCTION = 400, 60
top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
breaches = []
for root in ROOTS:
    for folder, _, files in os.walk(os.path.join(top, root)):
        for name in sorted(files):
            if not name.endswith((".h", ".cpp")):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, top)
            lines = open(path, encoding="utf-8").read().split("\n")
            if len(lines) - 1 > MAX_FILE:
                breaches.append(f"{rel}: {len(lines) - 1} lines (at most {MAX_FILE})")
            start = None
            for i, line in enumerate(lines):
                if start is None and re.match(r"^[A-Za-z].*\(", line) and not line.startswith(("namespace", "#", "//")):
                    if line.rstrip().endswith(";"):
                        continue
                    start = i
                elif start is not None and line.startswith("}"):
                    if i - start + 1 > MAX_FUNCTION and "{" in "".join(lines[start:start + 6]):
                        breaches.append(f"{rel}:{start + 1}: {lines[start].strip()[:70]} is {i - start + 1} lines "
                                        f"(at most {MAX_FUNCTION})")
                    start = None
for b in breaches:
    print(b)
print(f"check_shape: {len(breaches)} breaches")
sys.exit(1 if breaches else 0)
