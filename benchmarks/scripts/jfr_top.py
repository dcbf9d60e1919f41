#!/usr/bin/env python3
"""Summarises the CPU samples of a JDK Flight Recording: where each thread spends its time.

    python3 benchmarks/scripts/jfr_top.py profile.jfr [frames]

Reads the recording's jdk.ExecutionSample events through the JDK's `jfr print` and prints, per sampled thread,
its share of the samples, then the methods with the most samples at the top of the stack (self time) and the
most frequent call paths (the top `frames` frames, 4 by default). JFR samples threads running Java code only:
a thread parked, yielding or in a system call is not sampled, so a thread's share is of the samples, not of
the wall time.
"""
import collections
import re
import subprocess
import sys

FRAME = re.compile(r"^\s+([\w.$<>]+)\(([^)]*)\)\s+line:", re.M)
THREAD = re.compile(r'sampledThread = "([^"]+)"')


def samples(recording):
    text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", recording],
                          check=True, capture_output=True, text=True).stdout
    for event in text.split("jdk.ExecutionSample")[1:]:
        thread = THREAD.search(event)
        frames = [m.group(1) for m in FRAME.finditer(event)]
        if thread and frames:
            yield thread.group(1), frames


def short(method):
    parts = method.split(".")
    return ".".join(parts[-2:])


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: jfr_top.py <recording.jfr> [frames]")
    depth = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    by_thread = collections.Counter()
    self_time = collections.Counter()
    paths = collections.Counter()
    total = 0
    for thread, frames in samples(sys.argv[1]):
        total += 1
        by_thread[thread] += 1
        self_time[frames[0]] += 1
        paths[(thread, tuple(short(f) for f in frames[:depth]))] += 1
    if total == 0:
        sys.exit("no execution samples in " + sys.argv[1])
    print(f"{total} samples\n\nthreads:")
    for thread, n in by_thread.most_common():
        print(f"  {100 * n / total:5.1f} %  {thread}")
    print("\nself time (top of stack):")
    for method, n in self_time.most_common(25):
        print(f"  {100 * n / total:5.1f} %  {method}")
    print(f"\ncall paths ({depth} frames, innermost first):")
    for (thread, path), n in paths.most_common(25):
        print(f"  {100 * n / total:5.1f} %  [{thread[:24]}] " + " < ".join(path))


if __name__ == "__main__":
    main()
