#!/usr/bin/env python3
"""Turns a JMH JSON result file of the Faultline suite into RESULTS tables and an SVG plot.

Usage: report.py RESULTS_DIR   (reads RESULTS_DIR/results.json and RESULTS_DIR/machine.txt if present;
writes RESULTS_DIR/table.md and RESULTS_DIR/plot.svg). Python standard library only.
"""
import json
import math
import os
import sys
from collections import OrderedDict

import grading

# SampleTime percentiles under this measure the timer, not the code (METHOD.md §3).
PERCENTILE_FLOOR_NS = 100.0

# (benchmark class, method) -> (label, family); family groups what is compared with what.
VARIANTS = OrderedDict([
    (("DirectCallBenchmark", "call"), ("Bare loop (decode, array lookup, call)", "bare")),
    (("FaultlineBenchmark", "inline"), ("Faultline core, inline handler", "faultline")),
    (("FaultlineBenchmark", "roundTrip"), ("Faultline core, round trip", "faultline-async")),
    (("FaultlineBenchmark", "pipelined"), ("Faultline core, pipelined (window 1024)", "faultline-async")),
    (("GuavaEventBusBenchmark", "post"), ("Guava EventBus post", "guava")),
    (("EventAdminBenchmark", "sendEvent"), ("EventAdmin sendEvent", "eventadmin")),
    (("EventAdminBenchmark", "postEvent"), ("EventAdmin postEvent (window 1024)", "eventadmin-post")),
    (("DisruptorBenchmark", "roundTrip"), ("Disruptor round trip", "disruptor")),
    (("DisruptorBenchmark", "pipelined"), ("Disruptor pipelined (window 1024)", "disruptor-pipelined")),
    (("EndToEndBenchmark", "fault"), ("End to end", "e2e")),
    (("EndToEndInflightBenchmark", "fault"), ("End to end", "e2e")),
])


def split_name(benchmark):
    parts = benchmark.split(".")
    return parts[-2], parts[-1]


def variant_of(entry):
    cls, method = split_name(entry["benchmark"])
    base = method[:-3] if method.endswith("_t2") else method
    label, family = VARIANTS.get((cls, base), (cls + "." + base, "other"))
    rank = list(VARIANTS).index((cls, base)) if (cls, base) in VARIANTS else len(VARIANTS)
    params = entry.get("params", {})
    if "timeoutMs" in params:
        label += " (timeout off)" if int(params["timeoutMs"]) <= 100 else " (default 5 s timeout)"
    if "handling" in params:
        handling = params["handling"].lower().replace("deferred_token", "deferred-by-token")
        label = label.replace("Faultline core,", "Faultline core, %s handler," % handling)
    if "protocol" in params:
        label += ": " + params["protocol"]
    if "pasids" in params:
        lanes = int(params.get("devices", 1)) * int(params["pasids"])
        label += ", serial round trip" if lanes == 1 else ", %d in flight (%s devices x %s PASIDs)" % (
            lanes, params.get("devices", 1), params["pasids"])
    elif "neighbour" in params:
        label += ", one at a time" + ("" if params["neighbour"] == "none" else ", a blocked neighbour")
    return label, family, rank


def alloc(entry):
    for name, metric in entry.get("secondaryMetrics", {}).items():
        if name.lstrip("\u00b7") == "gc.alloc.rate.norm":
            return metric["score"]
    return None


def to_ns(value, unit):
    scale = {"s/op": 1e9, "ms/op": 1e6, "us/op": 1e3, "ns/op": 1.0}
    return value * scale[unit]


def to_per_second(value, unit):
    scale = {"ops/s": 1.0, "ops/ms": 1e3, "ops/us": 1e6, "ops/ns": 1e9}
    return value * scale[unit]


def read_entries(results_dir):
    with open(os.path.join(results_dir, "results.json")) as f:
        return json.load(f)


def load(entries):
    rows = OrderedDict()
    for e in entries:
        label, family, rank = variant_of(e)
        devices = int(e.get("params", {}).get("devices", 0))
        key = (label, devices, e["threads"])
        row = rows.setdefault(key, {"label": label, "family": family, "devices": devices,
                                    "threads": e["threads"], "params": e.get("params", {}), "rank": rank})
        pm = e["primaryMetric"]
        if e["mode"] == "thrpt":
            row["thrpt"] = to_per_second(pm["score"], pm["scoreUnit"])
            err = pm.get("scoreError")
            row["thrpt_err"] = to_per_second(err, pm["scoreUnit"]) if isinstance(err, (int, float)) and not math.isnan(err) else None
            row["alloc"] = alloc(e)
            cpu = grading.secondary(e, "cpu.time.norm")
            cores = grading.secondary(e, "cpu.cores")
            row["cpu_ns"] = cpu["score"] if cpu else None
            row["cpu_cores"] = cores["score"] if cores else None
            sm = e.get("secondaryMetrics", {})
            if "cpuNanos" in sm and "faults" in sm and sm["cpuNanos"]["score"] > 0:
                row["per_cpu"] = sm["faults"]["score"] / (sm["cpuNanos"]["score"] / 1e9)
                row["cores"] = row["thrpt"] / row["per_cpu"]
            elif row["cpu_ns"]:
                # the CPU-time profiler's process CPU time per fault (METHOD.md §5)
                row["per_cpu"] = 1e9 / row["cpu_ns"]
                row["cores"] = row["cpu_cores"]
        elif e["mode"] == "sample":
            p = pm["scorePercentiles"]
            row["p50"] = to_ns(p["50.0"], pm["scoreUnit"])
            row["p99"] = to_ns(p["99.0"], pm["scoreUnit"])
            row["p999"] = to_ns(p["99.9"], pm["scoreUnit"])
            if row.get("alloc") is None:
                row["alloc"] = alloc(e)
    return list(rows.values())


def fmt_rate(v):
    if v is None:
        return "—"
    for div, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if v >= div:
            return f"{v / div:.3g}{suffix}"
    return f"{v:.3g}"


def fmt_ns(v):
    if v is None:
        return "—"
    if v >= 1e6:
        return f"{v / 1e6:.3g} ms"
    if v >= 1e3:
        return f"{v / 1e3:.3g} µs"
    return f"{v:.3g} ns"


def fmt_percentile(v):
    if v is None:
        return "—"
    return "< 100 ns" if v < PERCENTILE_FLOOR_NS else fmt_ns(v)


def fmt_bytes(v):
    if v is None:
        return "—"
    return "0" if v < 0.5 else f"{v:.0f}"


def dispatch_table(rows):
    bare = {(r["devices"], r["threads"]): r.get("thrpt") for r in rows if r["family"] == "bare"}
    out = ["| Variant | devices | threads | faults/s | ± | × slower than bare loop | CPU ns/fault | cores busy | B/op | p50 | p99 | p99.9 |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in sorted((r for r in rows if r["family"] != "e2e"), key=lambda r: (r["devices"], r["threads"], -(r.get("thrpt") or 0))):
        b = bare.get((r["devices"], r["threads"]))
        slower = f"{b / r['thrpt']:.1f}" if b and r.get("thrpt") else "—"
        cpu = f"{r['cpu_ns']:.3g}" if r.get("cpu_ns") else "—"
        cores = f"{r['cpu_cores']:.2f}" if r.get("cpu_cores") else "—"
        out.append(f"| {r['label']} | {r['devices']} | {r['threads']} | {fmt_rate(r.get('thrpt'))} | "
                   f"{fmt_rate(r.get('thrpt_err'))} | {slower} | {cpu} | {cores} | {fmt_bytes(r.get('alloc'))} | "
                   f"{fmt_percentile(r.get('p50'))} | {fmt_percentile(r.get('p99'))} | {fmt_percentile(r.get('p999'))} |")
    return "\n".join(out)


def ratio_table(rows):
    by = {(r["label"], r["devices"], r["threads"]): r for r in rows}
    configs = sorted({(r["devices"], r["threads"]) for r in rows if r["family"] == "faultline"})
    if not configs:
        return "(no Faultline rows in this run)"
    peers = ["Bare loop (decode, array lookup, call)",
             "EventAdmin sendEvent (default 5 s timeout)",
             "EventAdmin sendEvent (timeout off)",
             "Guava EventBus post",
             "Disruptor round trip",
             "Disruptor pipelined (window 1024)"]
    out = ["| devices | threads | Faultline inline faults/s | vs | throughput ratio (Faultline / peer) | CPU-time ratio (peer / Faultline) | p50 ratio (peer / Faultline) |",
           "|---:|---:|---:|---|---:|---:|---:|"]
    for d, t in configs:
        f = by.get(("Faultline core, inline handler", d, t))
        if not f or not f.get("thrpt"):
            continue
        for label in peers:
            p = by.get((label, d, t))
            if not p or not p.get("thrpt"):
                continue
            ratio = f["thrpt"] / p["thrpt"]
            cpu = f"{p['cpu_ns'] / f['cpu_ns']:.3g}" if p.get("cpu_ns") and f.get("cpu_ns") else "—"
            timed = all((r.get("p50") or 0) >= PERCENTILE_FLOOR_NS for r in (p, f))
            p50 = f"{p['p50'] / f['p50']:.3g}" if p.get("p50") and f.get("p50") and timed else "—"
            out.append(f"| {d} | {t} | {fmt_rate(f['thrpt'])} | {label} | {ratio:.3g} | {cpu} | {p50} |")
    return "\n".join(out)


def fmt_metric(metric, value):
    if math.isinf(value):
        return "∞"
    if metric in ("per-cpu",):
        return fmt_rate(value)
    if metric == "alloc":
        return fmt_bytes(value) + " B"
    return f"{value:.3g}"


def targets_table(entries):
    out = ["| target | metric | measured | interval (99.9 %) | bound | verdict |",
           "|---|---|---:|---:|---:|---|"]
    for t, m, v in grading.grade(entries):
        bound = f"{t['relation']} {fmt_metric(t['metric'], t['bound'])}"
        if m is None:
            out.append(f"| {t['target']} | {t['metric']} | — | — | {bound} | {v} |")
            continue
        value, lower, upper, note = m
        interval = f"{fmt_metric(t['metric'], lower)} – {fmt_metric(t['metric'], upper)}" if lower != upper else note
        shown = f"**{v}**" if v == "met" else v
        out.append(f"| {t['target']} | {t['metric']} | {fmt_metric(t['metric'], value)} | {interval} | {bound} | {shown} |")
    return "\n".join(out)


def e2e_table(rows):
    e2e = [r for r in rows if r["family"] == "e2e"]
    if not e2e:
        return "(no end-to-end rows in this run)"
    out = ["| Path | faults/s (wall) | ± | CPU cores busy | faults/s per core (faults / process CPU-s) | B/op | p50 | p99 | p99.9 |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in e2e:
        cores = f"{r['cores']:.2f}" if r.get("cores") else "—"
        out.append(f"| {r['label']} | {fmt_rate(r.get('thrpt'))} | {fmt_rate(r.get('thrpt_err'))} | {cores} | {fmt_rate(r.get('per_cpu'))} | "
                   f"{fmt_bytes(r.get('alloc'))} | {fmt_ns(r.get('p50'))} | {fmt_ns(r.get('p99'))} | {fmt_ns(r.get('p999'))} |")
    return "\n".join(out)


PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"]


def svg_panel(rows, metric, title, unit_fmt, x0, y0, width):
    """One horizontal log-scale bar chart: one group per variant, one bar per (devices, threads)."""
    configs = sorted({(r["devices"], r["threads"]) for r in rows if r.get(metric)})
    labels = []
    for r in sorted(rows, key=lambda r: (r["rank"], r["label"])):
        if r.get(metric) and r["label"] not in labels:
            labels.append(r["label"])
    if not configs or not labels:
        return [], 0
    values = {(r["label"], r["devices"], r["threads"]): r[metric] for r in rows if r.get(metric)}
    lo = 10 ** math.floor(math.log10(min(values.values())))
    hi = 10 ** math.ceil(math.log10(max(values.values())))
    label_w, bar_h, gap = 420, 9, 8
    plot_w = width - label_w - 20
    group_h = bar_h * len(configs) + gap
    h = 40 + group_h * len(labels) + 50
    parts = [f'<text x="{x0 + 10}" y="{y0 + 20}" font-size="15" font-weight="bold">{title}</text>']
    top = y0 + 35

    def xpos(v):
        return x0 + label_w + plot_w * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    decade = lo
    while decade <= hi * 1.0001:
        x = xpos(decade)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + group_h * len(labels)}" stroke="#ddd"/>')
        parts.append(f'<text x="{x:.1f}" y="{top + group_h * len(labels) + 14}" font-size="10" text-anchor="middle">{unit_fmt(decade)}</text>')
        decade *= 10
    for i, label in enumerate(labels):
        gy = top + i * group_h
        parts.append(f'<text x="{x0 + label_w - 6}" y="{gy + group_h / 2 + 3:.1f}" font-size="11" text-anchor="end">{label}</text>')
        for j, (d, t) in enumerate(configs):
            v = values.get((label, d, t))
            if not v:
                continue
            y = gy + j * bar_h
            parts.append(f'<rect x="{x0 + label_w}" y="{y}" width="{max(1.0, xpos(v) - x0 - label_w):.1f}" height="{bar_h - 1}" fill="{PALETTE[j % len(PALETTE)]}">'
                         f'<title>{label}, {d} device(s), {t} thread(s): {unit_fmt(v)}</title></rect>')
    ly = top + group_h * len(labels) + 30
    for j, (d, t) in enumerate(configs):
        lx = x0 + 20 + j * 200
        parts.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{PALETTE[j % len(PALETTE)]}"/>')
        parts.append(f'<text x="{lx + 14}" y="{ly}" font-size="11">{d} device(s), {t} thread(s)</text>')
    return parts, h


def svg(rows, path):
    width = 1200
    dispatch = [r for r in rows if r["family"] != "e2e"]
    p1, h1 = svg_panel(dispatch, "thrpt", "Throughput, faults/s (log scale; longer is better)", fmt_rate, 0, 0, width)
    timed = [r for r in dispatch if (r.get("p99") or 0) >= PERCENTILE_FLOOR_NS]
    p2, h2 = svg_panel(timed, "p99", "p99 latency from report to answer (JMH SampleTime; log scale; shorter is better)", fmt_ns, 0, h1, width)
    e2e = [r for r in rows if r["family"] == "e2e"]
    p3, h3 = svg_panel(e2e, "per_cpu", "End to end (DMA access to device resume): faults per second per core (per process CPU-second)", fmt_rate, 0, h1 + h2, width)
    height = h1 + h2 + h3 + 10
    with open(path, "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif">\n')
        f.write(f'<rect width="{width}" height="{height}" fill="white"/>\n')
        for p in p1 + p2 + p3:
            f.write(p + "\n")
        f.write("</svg>\n")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    results_dir = sys.argv[1]
    entries = read_entries(results_dir)
    rows = load(entries)
    machine = ""
    machine_path = os.path.join(results_dir, "machine.txt")
    if os.path.exists(machine_path):
        with open(machine_path) as f:
            machine = f.read().strip()
    with open(os.path.join(results_dir, "table.md"), "w") as f:
        f.write("## Targets (targets.tsv)\n\n" + targets_table(entries) + "\n\n")
        f.write("## Dispatch, all variants\n\n" + dispatch_table(rows) + "\n\n")
        f.write("## Faultline against each peer and the bare loop (throughput ratio, same run)\n\n" + ratio_table(rows) + "\n\n")
        f.write("## End to end\n\n" + e2e_table(rows) + "\n\n")
        if machine:
            f.write("## Machine\n\n```\n" + machine + "\n```\n")
    svg(rows, os.path.join(results_dir, "plot.svg"))
    print(f"wrote {results_dir}/table.md and {results_dir}/plot.svg ({len(rows)} configurations)")


if __name__ == "__main__":
    main()
