#!/usr/bin/env bash
# bench-optim.sh — run `gongfu plan zones` beside the PySAL spopt / pygeoda anchors with the
# comparison harness in /work/shared/bench/optim (see its README.md), score every answer with the
# same function (common.ssd), write all rows to one CSV and print a compact table.
#
# Usage (from anywhere, after `cargo build --release`):
#   scripts/bench-optim.sh [RESULTS_CSV] [STEPS]
#     RESULTS_CSV  default target/optim-results.csv (relative to the repo root). It is
#                  overwritten unless APPEND=1.
#     STEPS        comma list, default all of:
#                  georgia,south,georgia-maxp,south-maxp,vor20000,vor100000,vor20000-maxp
#
# Runs (same instances/floors as the README table; floor = total_pop / (1.5 * k)):
#   georgia     k=10    anchors gda_redcap_ward, spopt_ward, gda_schc_ward + gongfu
#   south       k=50    same anchors + gongfu
#   georgia-maxp  k=0, floor = pop/(1.5*10) = 431,881.1    anchor gda_maxp_sa + gongfu
#   south-maxp    k=0, floor = pop/(1.5*50) = 1,139,279.1  anchor gda_maxp_sa + gongfu
#   vor20000    seed 1, k=200   anchor spopt_ward + gongfu
#   vor100000   seed 1, k=1000  anchor spopt_ward + gongfu
#   vor20000-maxp  k=0, floor = pop/(1.5*200) = 119,162.8  gongfu only; the pygeoda max-p
#                  anchor (gda_maxp_greedy) exceeds 300 s, so it runs only with VOR_MAXP_ANCHOR=1
#
# Needs:
#   - the venv  ~/.cache/gongfu-bench/venv  (README "Set up":
#       python3 -m venv ~/.cache/gongfu-bench/venv
#       ~/.cache/gongfu-bench/venv/bin/pip install spopt libpysal geopandas shapely pygeoda \
#           highspy pulp scikit-learn networkx)
#   - georgia/south in /work/shared/bench/optim/data
#   - vor20000_s1.* / vor100000_s1.* in ~/.cache/gongfu-bench/data (or .../data/inst), made by
#       cd /work/shared/bench/optim && ~/.cache/gongfu-bench/venv/bin/python gen_voronoi.py 20000 1 ~/.cache/gongfu-bench/data
#       (and the same with 100000)
#   - target/release/gongfu (or GONGFU=/path/to/gongfu)
#
# Environment overrides:
#   GONGFU            gongfu binary (default <repo>/target/release/gongfu)
#   BENCH_DIR         harness dir (default /work/shared/bench/optim)
#   VENV              venv (default ~/.cache/gongfu-bench/venv)
#   VOR_DATA          dir with vor*_s1.* (default ~/.cache/gongfu-bench/data, then .../data/inst)
#   TIMEOUT           per-run limit in seconds for each anchor and for gongfu (default 300)
#   SEED              seed passed to every run (default 0, as the README runs)
#   K_ALGOS           anchors for georgia/south k runs (default gda_redcap_ward,spopt_ward,gda_schc_ward)
#   MAXP_ALGOS        anchors for georgia/south max-p (default gda_maxp_sa)
#   VOR_ALGOS         anchors for vor20000/vor100000 k runs (default spopt_ward)
#   VOR_MAXP_ANCHOR   1 = also run pygeoda max-p on vor20000 (slow, > 300 s); default 0 = skip
#   VOR_MAXP_ALGOS    which pygeoda max-p then (default gda_maxp_greedy, the one the README tried)
#   KMODE_FLOOR       floor given to gongfu in k runs: 0 (default, as the README's template:
#                     plain "exactly K zones, min SSD" like the Ward anchors) or "harness" (pass
#                     the harness floor pop/(1.5k) through {floor})
#   GONGFU_EXTRA_ARGS extra arguments appended to the gongfu command (e.g. '--time-limit {time_limit}')
#   NICE              nice level for the harness (default 0)
#   APPEND            1 = append to RESULTS_CSV instead of starting it anew
set -euo pipefail

die() { echo "bench-optim: $*" >&2; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT_ARG=${1:-target/optim-results.csv}
STEPS=${2:-georgia,south,georgia-maxp,south-maxp,vor20000,vor100000,vor20000-maxp}
# a relative RESULTS_CSV is taken from the repo root
case $OUT_ARG in /*) OUT=$OUT_ARG ;; *) OUT=$ROOT/$OUT_ARG ;; esac

VENV=${VENV:-$HOME/.cache/gongfu-bench/venv}
PY=$VENV/bin/python
BENCH_DIR=${BENCH_DIR:-/work/shared/bench/optim}
REAL_DATA=$BENCH_DIR/data
GONGFU=${GONGFU:-$ROOT/target/release/gongfu}
TIMEOUT=${TIMEOUT:-300}
SEED=${SEED:-0}
K_ALGOS=${K_ALGOS:-gda_redcap_ward,spopt_ward,gda_schc_ward}
MAXP_ALGOS=${MAXP_ALGOS:-gda_maxp_sa}
VOR_ALGOS=${VOR_ALGOS:-spopt_ward}
VOR_MAXP_ANCHOR=${VOR_MAXP_ANCHOR:-0}
VOR_MAXP_ALGOS=${VOR_MAXP_ALGOS:-gda_maxp_greedy}
KMODE_FLOOR=${KMODE_FLOOR:-0}
GONGFU_EXTRA_ARGS=${GONGFU_EXTRA_ARGS:-}
NICE=${NICE:-0}
APPEND=${APPEND:-0}

# ---- preflight: fail early and clearly ---------------------------------------------------
[[ -x $PY ]] || die "venv not found at $VENV (no $PY). Create it as in $BENCH_DIR/README.md:
  python3 -m venv $VENV && $VENV/bin/pip install spopt libpysal geopandas shapely pygeoda highspy pulp scikit-learn networkx"
"$PY" -c "import spopt.region, pygeoda, libpysal, geopandas, sklearn" 2>/dev/null \
  || die "venv $VENV lacks the anchors (import spopt/pygeoda/libpysal/geopandas/sklearn failed); reinstall as in $BENCH_DIR/README.md"
[[ -f $BENCH_DIR/run_regionalization.py ]] || die "harness not found: $BENCH_DIR/run_regionalization.py (set BENCH_DIR)"
[[ -x $GONGFU ]] || die "gongfu binary not found or not executable: $GONGFU (run cargo build --release, or set GONGFU)"

want() { [[ ",$STEPS," == *",$1,"* ]]; }

need_real() {  # need_real NAME
  [[ -f $REAL_DATA/$1.geojson && -f $REAL_DATA/$1.edges.csv ]] \
    || die "instance $1 missing in $REAL_DATA (expected $1.geojson and $1.edges.csv)"
}

vor_base() {  # vor_base N -> prints path prefix of vorN_s1, or dies
  local n=$1 d
  for d in ${VOR_DATA:-} "$HOME/.cache/gongfu-bench/data" "$HOME/.cache/gongfu-bench/data/inst"; do
    [[ -n $d && -f $d/vor${n}_s1.geojson && -f $d/vor${n}_s1.edges.csv ]] && { echo "$d/vor${n}_s1"; return; }
  done
  die "instance vor${n}_s1 missing in ~/.cache/gongfu-bench/data (or .../data/inst). Make it with:
  cd $BENCH_DIR && $PY gen_voronoi.py $n 1 $HOME/.cache/gongfu-bench/data"
}

for s in ${STEPS//,/ }; do
  case $s in
    georgia|georgia-maxp) need_real georgia ;;
    south|south-maxp) need_real south ;;
    vor20000|vor20000-maxp) vor_base 20000 >/dev/null ;;
    vor100000) vor_base 100000 >/dev/null ;;
    *) die "unknown step '$s' (known: georgia,south,georgia-maxp,south-maxp,vor20000,vor100000,vor20000-maxp)" ;;
  esac
done

mkdir -p "$(dirname "$OUT")"
[[ $APPEND == 1 ]] || rm -f "$OUT"
LABELS=$(dirname "$OUT")/optim-labels
mkdir -p "$LABELS"

# gongfu command template; the harness fills {geojson} {edges} {attrs} {pop} {k} {floor} {seed}
# {out} {time_limit}. $1 = what to pass to --floor ("{floor}" or a number).
gongfu_tmpl() {
  local t
  t="$(printf '%q' "$GONGFU") plan zones --input {geojson} --edges {edges} --attrs {attrs} --pop {pop} --k {k} --floor $1 --seed {seed} --out {out}"
  [[ -n $GONGFU_EXTRA_ARGS ]] && t="$t $GONGFU_EXTRA_ARGS"
  printf '%s' "$t"
}
if [[ $KMODE_FLOOR == harness ]]; then KFLOOR='{floor}'; else KFLOOR=$KMODE_FLOOR; fi

# floor the README used for max-p: total population / (1.5 * k), full precision
maxp_floor() {  # maxp_floor GEOJSON POPFIELD K
  "$PY" - "$1" "$2" "$3" <<'EOF'
import json, sys
fc = json.load(open(sys.argv[1]))
tot = sum(float(f["properties"][sys.argv[2]]) for f in fc["features"])
print(repr(tot / (1.5 * int(sys.argv[3]))))
EOF
}

harness() {  # harness BASE ATTRS POP K ALGOS GONGFU_FLOOR [extra harness args...]
  local base=$1 attrs=$2 pop=$3 k=$4 algos=$5 gfloor=$6
  shift 6
  echo "== $(basename "$base") k=$k algos=${algos} + gongfu" >&2
  nice -n "$NICE" "$PY" "$BENCH_DIR/run_regionalization.py" \
    --geojson "$base.geojson" --edges "$base.edges.csv" --attrs "$attrs" --pop "$pop" \
    --k "$k" --algos "$algos" --timeout "$TIMEOUT" --seed "$SEED" --out "$OUT" \
    --labels-dir "$LABELS" "$@" --external "gongfu=$(gongfu_tmpl "$gfloor")"
}

GA=$REAL_DATA/georgia; GA_ATTRS=PctRural,PctBach,PctEld,PctPov; GA_POP=TotPop90
SO=$REAL_DATA/south;   SO_ATTRS=RD90,PS90,UE90,MA90;         SO_POP=PO90
VOR_ATTRS=a1,a2,a3,a4; VOR_POP=pop

# k runs: the harness still computes floor = pop/(1.5k) (for its floor_ok column), as in the README.
want georgia && harness "$GA" "$GA_ATTRS" "$GA_POP" 10 "$K_ALGOS" "$KFLOOR"
want south   && harness "$SO" "$SO_ATTRS" "$SO_POP" 50 "$K_ALGOS" "$KFLOOR"

# max-p runs: --k 0 with the explicit floor the README's max-p column used.
if want georgia-maxp; then
  F=$(maxp_floor "$GA.geojson" "$GA_POP" 10)
  harness "$GA" "$GA_ATTRS" "$GA_POP" 0 "$MAXP_ALGOS" '{floor}' --floor "$F"
fi
if want south-maxp; then
  F=$(maxp_floor "$SO.geojson" "$SO_POP" 50)
  harness "$SO" "$SO_ATTRS" "$SO_POP" 0 "$MAXP_ALGOS" '{floor}' --floor "$F"
fi

if want vor20000; then
  harness "$(vor_base 20000)" "$VOR_ATTRS" "$VOR_POP" 200 "$VOR_ALGOS" "$KFLOOR"
fi
if want vor100000; then
  harness "$(vor_base 100000)" "$VOR_ATTRS" "$VOR_POP" 1000 "$VOR_ALGOS" "$KFLOOR"
fi
if want vor20000-maxp; then
  V=$(vor_base 20000)
  F=$(maxp_floor "$V.geojson" "$VOR_POP" 200)
  if [[ $VOR_MAXP_ANCHOR == 1 ]]; then A=$VOR_MAXP_ALGOS; else
    A=none; echo "(vor20000 max-p: pygeoda anchor skipped; VOR_MAXP_ANCHOR=1 runs it, > 300 s)" >&2
  fi
  harness "$V" "$VOR_ATTRS" "$VOR_POP" 0 "$A" '{floor}' --floor "$F"
fi

# ---- compact table ------------------------------------------------------------------------
echo
echo "results: $OUT   (labels: $LABELS)"
[[ -f $OUT ]] || die "no results written to $OUT"
"$PY" - "$OUT" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
best = {}  # best SSD among anchors (non-gongfu) per (dataset, k_req)
for r in rows:
    if r["algorithm"] != "gongfu" and r["ssd"] and r["contiguous"] == "True":
        key = (r["dataset"], r["k_req"])
        best[key] = min(best.get(key, float("inf")), float(r["ssd"]))
hdr = f'{"dataset":<13} {"mode":<10} {"algorithm":<16} {"time s":>9} {"zones":>6} {"SSD":>11} {"vs best":>8} {"contig":>6} {"floor":>5}  status'
print(hdr)
print("-" * len(hdr))
for r in rows:
    maxp = r["k_req"] == "0"
    mode = f'max-p' if maxp else f'k={r["k_req"]}'
    ssd = f'{float(r["ssd"]):.2f}' if r["ssd"] else "-"
    b = best.get((r["dataset"], r["k_req"]))
    rel = f'{100 * (float(r["ssd"]) / b - 1):+.2f}%' if r["ssd"] and b else "-"
    fl = (r["floor_ok"] or "-") if maxp else ""
    st = r["status"] if len(r["status"]) <= 60 else r["status"][:57] + "..."
    print(f'{r["dataset"]:<13} {mode:<10} {r["algorithm"]:<16} {float(r["time_s"]):>9.3f} '
          f'{r["n_regions"] or "-":>6} {ssd:>11} {rel:>8} {r["contiguous"] or "-":>6} {fl:>5}  {st}')
print("\n'vs best' = SSD relative to the best contiguous anchor of the same dataset and mode;"
      " in max-p mode compare zones first (more is better), then SSD.")
EOF
