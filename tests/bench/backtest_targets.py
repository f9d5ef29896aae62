#!/usr/bin/env python3
"""The targets backtest of issue 14 (docs/targets.md): are recommended targets
closer to what people then did than the alternatives, and is their
probability honest?

On a demo distributor with seasons (`kpi demo-data --seasonal`) and at least
15 months of history, each of the last 3 complete months P is recommended
from the data before it (`kpi recommend --period P --as-of <first day of P>`),
then compared with what happened (`kpi report --period P`):

  - median |attainment - 1| of the recommended targets, against
    (a) the previous month's actual used as the target, and
    (b) the targets already in the store (the demo's admin set them from the
        whole range's average, so they even know the future's level);
  - calibration: among recommended targets given a 60-80 % probability, the
    share reached (accepted: 55-85 %); and per probability band for the plot.

Acceptance (`--check`): recommended < (a), recommended < (b), 55 % <= reached
in the 60-80 % band <= 85 %. Exit status 1 when one fails.
"""
import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys


def run(kpi, store, *args, today):
    env = dict(os.environ, KPI_TODAY=today)
    p = subprocess.run([kpi, "--store", store, *args], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"backtest: kpi {' '.join(args)} failed:\n{p.stderr}")
    return p.stdout


def rows_of(text):
    return list(csv.DictReader(io.StringIO(text)))


def month_before(month):
    year, m = map(int, month.split("-"))
    return f"{year - 1}-12" if m == 1 else f"{year}-{m - 1:02d}"


def months_back(until, count):
    """The `count` complete months before the month of `until`, oldest first."""
    month = until[:7]
    out = []
    for _ in range(count):
        month = month_before(month)
        out.append(month)
    return list(reversed(out))


def make_store(kpi, store, size, months, seed, until):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(store + suffix):
            os.remove(store + suffix)
    run(kpi, store, "demo-data", "--size", str(size), "--months", str(months), "--seed", str(seed), "--until", until,
        "--seasonal", today=until)


def backtest(kpi, store, until, periods=3):
    records = []
    for month in months_back(until, periods):
        first = month + "-01"
        recommended = rows_of(run(kpi, store, "recommend", "--period", month, "--as-of", first, today=until))
        actual = {(r["employee_code"], r["kpi_code"]): r for r in
                  rows_of(run(kpi, store, "report", "--period", month, "--as-of", until, today=until))}
        before = {(r["employee_code"], r["kpi_code"]): r for r in
                  rows_of(run(kpi, store, "report", "--period", month_before(month), "--as-of", until, today=until))}
        for r in recommended:
            key = (r["employee_code"], r["kpi_code"])
            if key not in actual or not r["effective_target"] or float(r["effective_target"]) <= 0:
                continue
            a = float(actual[key]["actual"])
            target = float(r["effective_target"])
            records.append({
                "period": month, "employee": key[0], "kpi": key[1], "actual": a,
                "recommended": target,
                "probability": float(r["probability"]) if r["probability"] else None,
                "store": float(actual[key]["target"]) if actual[key]["target"] else None,
                "previous": float(before[key]["actual"]) if key in before else None,
            })
    return records


def summarise(records):
    def median_error(target_of):
        errors = [abs(r["actual"] / target_of(r) - 1) for r in records if target_of(r)]
        return statistics.median(errors) if errors else None, len(errors)

    rec, n_rec = median_error(lambda r: r["recommended"])
    prev, n_prev = median_error(lambda r: r["previous"])
    store, n_store = median_error(lambda r: r["store"])
    band = [r for r in records if r["probability"] is not None and 0.6 <= r["probability"] <= 0.8]
    reached = sum(r["actual"] >= r["recommended"] for r in band)
    bands = []
    for low in [i / 10 for i in range(10)]:
        inside = [r for r in records if r["probability"] is not None and low <= r["probability"] < low + 0.1 + (low >= 0.9)]
        if inside:
            bands.append({"from": low, "to": round(low + 0.1, 1), "targets": len(inside),
                          "promised": statistics.mean(r["probability"] for r in inside),
                          "reached": sum(r["actual"] >= r["recommended"] for r in inside) / len(inside)})
    by_kpi = {}
    for k in sorted({r["kpi"] for r in records}):
        rs = [r for r in records if r["kpi"] == k]
        by_kpi[k] = {
            "targets": len(rs),
            "recommended": statistics.median(abs(r["actual"] / r["recommended"] - 1) for r in rs),
            "previous": statistics.median([abs(r["actual"] / r["previous"] - 1) for r in rs if r["previous"]] or [0]),
            "store": statistics.median([abs(r["actual"] / r["store"] - 1) for r in rs if r["store"]] or [0]),
        }
    return {
        "periods": sorted({r["period"] for r in records}),
        "targets": len(records),
        "median_abs_error": {"recommended": rec, "previous_actual": prev, "store_targets": store},
        "compared": {"recommended": n_rec, "previous_actual": n_prev, "store_targets": n_store},
        "band_60_80": {"targets": len(band), "reached": reached / len(band) if band else None},
        "bands": bands,
        "by_kpi": by_kpi,
    }


def failures(summary):
    e = summary["median_abs_error"]
    out = []
    if not (e["recommended"] < e["previous_actual"]):
        out.append(f"median |attainment-1| {e['recommended']:.4f} is not below the previous actual's {e['previous_actual']:.4f}")
    if not (e["recommended"] < e["store_targets"]):
        out.append(f"median |attainment-1| {e['recommended']:.4f} is not below the store targets' {e['store_targets']:.4f}")
    band = summary["band_60_80"]
    if not band["targets"] or not (0.55 <= band["reached"] <= 0.85):
        out.append(f"of {band['targets']} targets given 60-80 %, {band['reached']} reached (accepted 0.55-0.85)")
    return out


def plot(summary, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), dpi=110)
    e = summary["median_abs_error"]
    names = ["recommended", "previous month's\nactual", "targets in\nthe store"]
    values = [e["recommended"] * 100, e["previous_actual"] * 100, e["store_targets"] * 100]
    bars = left.bar(names, values, color=["#2a7ab9", "#b0b0b0", "#d08c3c"])
    for bar, v in zip(bars, values):
        left.text(bar.get_x() + bar.get_width() / 2, v, f"{v:.1f} %", ha="center", va="bottom", fontsize=9)
    left.set_ylabel("median |attainment − 1| (%)")
    left.set_title(f"How far off: {summary['targets']} targets, {', '.join(summary['periods'])}", fontsize=9)
    bands = [b for b in summary["bands"] if b["targets"] >= 5]
    right.plot([0, 1], [0, 1], color="#999999", linestyle="--", linewidth=1, label="perfectly honest")
    right.scatter([b["promised"] for b in bands], [b["reached"] for b in bands],
                  s=[20 + b["targets"] / 3 for b in bands], color="#2a7ab9", label="recommended targets")
    for b in bands:
        right.annotate(str(b["targets"]), (b["promised"], b["reached"]), textcoords="offset points", xytext=(5, -10),
                       fontsize=7, color="#555555")
    right.axvspan(0.6, 0.8, color="#2a7ab9", alpha=0.08)
    right.set_xlim(0, 1)
    right.set_ylim(0, 1)
    right.set_xlabel("probability given to the target")
    right.set_ylabel("share of those targets reached")
    right.set_title("Is the probability honest? (dot size: targets)", fontsize=9)
    right.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(png)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kpi", required=True)
    ap.add_argument("--work", required=True, help="folder for the store and results")
    ap.add_argument("--size", type=int, default=40)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--until", default="2026-11-20")
    ap.add_argument("--plot", help="write the plot here (PNG)")
    ap.add_argument("--check", action="store_true", help="exit 1 unless the acceptance holds")
    args = ap.parse_args()
    if args.months < 15:
        sys.exit("backtest: the acceptance wants at least 15 months of history")
    os.makedirs(args.work, exist_ok=True)
    store = os.path.join(args.work, f"backtest-{args.size}-{args.months}-{args.seed}.sqlite")
    make_store(args.kpi, store, args.size, args.months, args.seed, args.until)
    records = backtest(args.kpi, store, args.until)
    summary = summarise(records)
    summary["data"] = {"salespeople": args.size, "months": args.months, "seed": args.seed, "until": args.until}
    with open(os.path.join(args.work, "backtest.json"), "w") as f:
        json.dump(summary, f, indent=2)
    e = summary["median_abs_error"]
    print(f"targets backtest ({args.size} salespeople, {args.months} months, seed {args.seed}): "
          f"{summary['targets']} targets over {', '.join(summary['periods'])}")
    print(f"  median |attainment - 1|: recommended {e['recommended']:.4f}, previous actual {e['previous_actual']:.4f}, "
          f"store targets {e['store_targets']:.4f}")
    band = summary["band_60_80"]
    print(f"  given 60-80 %: {band['targets']} targets, {band['reached']:.3f} reached" if band["targets"] else
          "  given 60-80 %: none")
    for k, v in summary["by_kpi"].items():
        print(f"    {k:10} {v['targets']:4}  rec {v['recommended']:.3f}  prev {v['previous']:.3f}  store {v['store']:.3f}")
    if args.plot:
        plot(summary, args.plot)
        print(f"  plot: {args.plot}")
    if args.check:
        problems = failures(summary)
        for p in problems:
            print(f"FAILED: {p}", file=sys.stderr)
        sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
