"""Grades a JMH run against benchmarks/targets.tsv (METHOD.md §2).

A verdict is "met" only when the metric's whole interval lies on the target's good side, "not met" when it lies
wholly on the bad side, and "no verdict" when the interval straddles the bound: a rounded point value never
decides. Python standard library only.
"""
import math
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS = os.path.join(HERE, "..", "targets.tsv")

METRICS = ("thrpt-ratio", "time-ratio", "p99-ratio", "per-cpu", "alloc")
# JMH's allocation profiler prints about 1e-5 B/op for a path that allocates nothing.
ALLOC_ZERO = 0.5
SELECTOR = re.compile(r"^(\w+)\.(\w+)(?:\{([^}]*)\})?$")


class TargetError(ValueError):
    """A targets file that cannot be graded with (an unknown metric, a malformed selector or bound)."""


def parse_selector(text):
    m = SELECTOR.match(text)
    if not m:
        raise TargetError(f"malformed selector {text!r}: expected Benchmark.method{{param=value,...}}")
    params = {}
    if m.group(3):
        for pair in m.group(3).split(","):
            if "=" not in pair:
                raise TargetError(f"malformed parameter {pair!r} in {text!r}")
            k, v = pair.split("=", 1)
            params[k.strip()] = v.strip()
    return m.group(1), m.group(2), params


def load_targets(path=TARGETS):
    targets = []
    with open(path) as f:
        lines = [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]
    header, rows = lines[0].split("\t"), lines[1:]
    for number, line in enumerate(rows, start=2):
        cols = line.split("\t")
        if len(cols) != len(header):
            raise TargetError(f"target line {number}: {len(cols)} columns, expected {len(header)}")
        t = dict(zip(header, cols))
        if t["metric"] not in METRICS:
            raise TargetError(f"target {t['id']}: unknown metric {t['metric']!r}")
        if t["relation"] not in ("<=", ">="):
            raise TargetError(f"target {t['id']}: relation must be <= or >=, not {t['relation']!r}")
        try:
            t["bound"] = float(t["bound"])
        except ValueError:
            raise TargetError(f"target {t['id']}: bound {t['bound']!r} is not a number") from None
        t["subject"] = parse_selector(t["subject"])
        t["peer"] = None if t["peer"] == "-" else parse_selector(t["peer"])
        if t["peer"] is None and t["metric"] in ("thrpt-ratio", "time-ratio", "p99-ratio"):
            raise TargetError(f"target {t['id']}: a ratio needs a peer")
        targets.append(t)
    return targets


def find(entries, selector, mode):
    """The one single-threaded JMH entry of this mode matching the selector, or None."""
    cls, method, params = selector
    found = []
    for e in entries:
        parts = e["benchmark"].split(".")
        if parts[-2] != cls or parts[-1] != method or e["mode"] != mode:
            continue
        p = e.get("params", {})
        if all(p.get(k) == v for k, v in params.items()):
            found.append(e)
    return found[0] if len(found) == 1 else None


def _per_second(value, unit):
    return value * {"ops/s": 1.0, "ops/ms": 1e3, "ops/us": 1e6, "ops/ns": 1e9}[unit]


def _ns(value, unit):
    return value * {"s/op": 1e9, "ms/op": 1e6, "us/op": 1e3, "ns/op": 1.0}[unit]


def _error(metric):
    err = metric.get("scoreError")
    return err if isinstance(err, (int, float)) and not math.isnan(err) else 0.0


def throughput(entry):
    """(score, lower, upper) in faults per second."""
    pm = entry["primaryMetric"]
    score, err = _per_second(pm["score"], pm["scoreUnit"]), _per_second(_error(pm), pm["scoreUnit"])
    return score, max(score - err, 0.0), score + err


def p99(entry):
    pm = entry["primaryMetric"]
    return _ns(pm["scorePercentiles"]["99.0"], pm["scoreUnit"])


def secondary(entry, name):
    for key, metric in entry.get("secondaryMetrics", {}).items():
        if key.lstrip("\u00b7") == name:
            return metric
    return None


def measure(target, entries):
    """(value, lower, upper, note) of the target's metric in this run, or None when the run lacks a row."""
    metric = target["metric"]
    mode = "sample" if metric == "p99-ratio" else "thrpt"
    subject = find(entries, target["subject"], mode)
    peer = find(entries, target["peer"], mode) if target["peer"] else None
    if subject is None or (target["peer"] and peer is None):
        return None
    if metric in ("thrpt-ratio", "time-ratio"):
        s, s_lo, s_hi = throughput(subject)
        p, p_lo, p_hi = throughput(peer)
        if metric == "time-ratio":
            s, s_lo, s_hi, p, p_lo, p_hi = p, p_lo, p_hi, s, s_lo, s_hi
        lower = s_lo / p_hi if p_hi > 0 else math.inf
        upper = s_hi / p_lo if p_lo > 0 else math.inf
        return s / p, lower, upper, ""
    if metric == "p99-ratio":
        value = p99(subject) / p99(peer)
        return value, value, value, "point value (JMH gives percentiles no interval)"
    if metric == "per-cpu":
        cpu = secondary(subject, "cpu.time.norm")
        if cpu is not None and cpu["score"] > 0:
            err = _error(cpu)
            lower = 1e9 / (cpu["score"] + err)
            upper = 1e9 / (cpu["score"] - err) if cpu["score"] > err else math.inf
            return 1e9 / cpu["score"], lower, upper, ""
        faults, nanos = secondary(subject, "faults"), secondary(subject, "cpuNanos")
        if faults is None or nanos is None or nanos["score"] <= 0:
            return None
        value = faults["score"] / (nanos["score"] / 1e9)
        return value, value, value, "point value (from the benchmark's own CPU counters)"
    allocation = secondary(subject, "gc.alloc.rate.norm")
    if allocation is None:
        return None
    err = _error(allocation)
    return allocation["score"], max(allocation["score"] - err, 0.0), allocation["score"] + err, ""


def verdict(target, lower, upper):
    bound = target["bound"]
    if target["metric"] == "alloc":
        bound = max(bound, ALLOC_ZERO)
    if target["relation"] == ">=":
        good, bad = lower >= bound, upper < bound
    else:
        good, bad = upper <= bound, lower > bound
    if good:
        return "met"
    if bad:
        return "not met"
    return "no verdict: the interval straddles the target"


def grade(entries, targets=None):
    """One row per target: (target, measured or None, verdict)."""
    rows = []
    for t in targets if targets is not None else load_targets():
        m = measure(t, entries)
        rows.append((t, m, "not measured in this run" if m is None else verdict(t, m[1], m[2])))
    return rows
