"""Runs `gongfu plan sites` on the harness instances and scores every answer with the
harness's own functions (run_locate.check on cx,cy in km), beside the exact optima the harness
recorded with HiGHS / CBC (results_locate.csv). Prints one row per run.

usage: ~/.cache/gongfu-bench/venv/bin/python scripts/bench-sites.py [GONGFU_BIN [ONLY ...]]

ONLY limits the runs to some instances or models: `south`, `pcenter`, `south:lscp`.
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

BENCH = os.environ.get("BENCH_DIR", "/work/shared/bench/optim")
sys.path.insert(0, BENCH)
import numpy as np  # noqa: E402

import common  # noqa: E402
from run_locate import check, cost_matrix  # noqa: E402

GONGFU = sys.argv[1] if len(sys.argv) > 1 else "target/release/gongfu"
ONLY = sys.argv[2:]


def wanted(name, model):
    return not ONLY or any(o in (name, model, f"{name}:{model}") for o in ONLY)
VOR = os.path.expanduser(os.environ.get("VOR_DATA", "~/.cache/gongfu-bench/data"))

RUNS = [
    ("georgia", f"{BENCH}/data/georgia.geojson", "TotPop90", [("pmedian", 10, None), ("pmedian", 50, None),
     ("mclp", 10, 40), ("mclp", 50, 40), ("lscp", None, 40), ("pcenter", 10, None), ("pcenter", 50, None)]),
    ("south", f"{BENCH}/data/south.geojson", "PO90", [("pmedian", 10, None), ("pmedian", 50, None),
     ("mclp", 10, 100), ("mclp", 50, 100), ("lscp", None, 100), ("pcenter", 10, None), ("pcenter", 50, None)]),
    ("vor20000_s1", f"{VOR}/vor20000_s1.geojson", "pop", [("pmedian", 200, None), ("mclp", 200, 8)]),
]


def exact():
    best = {}
    with open(f"{BENCH}/results_locate.csv") as f:
        for r in csv.DictReader(f):
            if not r["check_obj"]:
                continue
            proven = r["status"] == "ok"
            key = (r["dataset"], r["model"], r["p"] or "", (r["radius_km"] or "").rstrip("0").rstrip("."))
            t = float(r["solve_s"] or "nan") + float(r["build_s"] or 0)
            cur = best.get(key)
            if proven and (cur is None or not cur[2] or t < cur[1]):
                best[key] = (float(r["check_obj"]), t, proven)
            elif cur is None:
                best[key] = (float(r["check_obj"]), t, proven)
    return best


def main():
    ex = exact()
    print("| instance | model | p | radius km | gongfu objective | gongfu bound | stated gap | exact optimum (solver) | vs optimum | gongfu s (solve) | exact solver s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, path, pop, runs in RUNS:
        runs = [r for r in runs if wanted(name, r[0])]
        if not runs:
            continue
        if not os.path.exists(path):
            print(f"| {name} | (missing {path}) |")
            continue
        props, _ = common.read_geojson_props(path)
        w = np.array([float(p[pop]) for p in props])
        d = cost_matrix(props) if len(props) <= 5000 else None
        for model, p, r in runs:
            out = tempfile.mktemp(suffix=".csv")
            cmd = [GONGFU, "plan", "sites", "--input", path, "--weight", pop, "--model", model, "--out", out]
            if p is not None:
                cmd += ["--p", str(p)]
            if r is not None:
                cmd += ["--radius", str(r * 1000)]
            t0 = time.perf_counter()
            cp = subprocess.run(cmd, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if cp.returncode != 0:
                print(f"| {name} | {model} | {p or ''} | {r or ''} | ERROR {cp.stderr.strip()[-200:]} |")
                continue
            rep = json.loads(cp.stdout.strip().splitlines()[-1])
            with open(out) as f:
                S = [int(row["id"]) for row in csv.DictReader(f)]
            if d is not None:
                obj = check(model, np.array(S), d, w, r or 0.0)
            else:
                obj = rep["objective"]
            key = (name, model, str(p) if p is not None else "", str(r) if r is not None else "")
            e = ex.get(key)
            if e and e[0] == e[0]:
                if model == "mclp":
                    rel = f"{obj / e[0] * 100:.2f} % of opt"
                else:
                    rel = f"+{(obj / e[0] - 1) * 100:.2f} %"
                exact_txt = f"{e[0]:,.2f}" + ("" if e[2] else " (not proven)")
                exact_t = f"{e[1]:.2f}"
            else:
                rel, exact_txt, exact_t = "—", "—", "—"
            print(f"| {name} | {model} | {p or ''} | {r or ''} | {obj:,.2f} | {rep['bound']:,.2f} | {rep['gap'] * 100:.2f} % | {exact_txt} | {rel} | {wall:.3f} ({rep['solve_seconds']:.3f}) | {exact_t} |")


if __name__ == "__main__":
    main()
