#!/usr/bin/env python3
"""Adds up test results over the stages of scripts/test.sh and prints the closing line.

Reads JUnit-style XML files (ctest --output-junit, pytest --junitxml, GoogleTest --gtest_output)
and stage outcomes given as NAME=RC (stages that are not test runners: lint, fuzzing, a build).
Prints one line per source, then `N passed, N failed, N skipped`, and exits 1 if anything failed.

usage: test_summary.py [--xml LABEL=FILE]... [--stage NAME=RC]...
"""
import argparse
import sys
import xml.etree.ElementTree as ET


def count_junit(path):
    """(passed, failed, skipped, names of failed) for one JUnit-style file."""
    passed = failed = skipped = 0
    failures = []
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        name = ".".join(x for x in (case.get("classname"), case.get("name")) if x)
        tags = {child.tag for child in case}
        status = (case.get("status") or "").lower()
        result = (case.get("result") or "").lower()
        if tags & {"failure", "error"} or status == "fail":
            failed += 1
            failures.append(name)
        elif "skipped" in tags or status in ("notrun", "disabled") or result == "skipped":
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped, failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xml", action="append", default=[], metavar="LABEL=FILE")
    ap.add_argument("--stage", action="append", default=[], metavar="NAME=RC")
    args = ap.parse_args()
    total = [0, 0, 0]
    print("== summary")
    for item in args.xml:
        label, _, path = item.partition("=")
        try:
            p, f, s, names = count_junit(path)
        except (OSError, ET.ParseError) as e:
            # A runner that left no report did not run to its end: that is a failure.
            print(f"  {label:<28} no report ({e})")
            total[1] += 1
            continue
        print(f"  {label:<28} {p} passed, {f} failed, {s} skipped")
        for n in names:
            print(f"      failed: {n}")
        total = [total[0] + p, total[1] + f, total[2] + s]
    for item in args.stage:
        name, _, rc = item.partition("=")
        if rc == "skip":
            print(f"  {name:<28} skipped (an earlier stage it needs failed)")
            total[2] += 1
        elif rc == "0":
            print(f"  {name:<28} passed")
            total[0] += 1
        else:
            print(f"  {name:<28} FAILED (exit {rc})")
            total[1] += 1
    print(f"{total[0]} passed, {total[1]} failed, {total[2]} skipped")
    return 1 if total[1] else 0


if __name__ == "__main__":
    sys.exit(main())
