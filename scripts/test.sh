#!/usr/bin/env bash
# Gongfu's one test command: ./scripts/test.sh
#
# Runs, in order, and keeps going after a failure so one run shows everything:
#   deps     install what is missing (Debian chromium, chromium-driver, fonts-noto-cjk)
#   fmt      cargo fmt --all -- --check
#   clippy   cargo clippy --workspace --all-targets -- -D warnings
#   test     cargo test --workspace (every database-backed test on its own SQLite file)
#   pgtest   the database-backed suites again on PostgreSQL: a throwaway cluster (initdb +
#            pg_ctl, see start_postgres) unless GONGFU_TEST_PG_URL names a server already
#   e2e      cargo build -p gongfu, then the browser suite in e2e/ (node --test, playwright-core
#            driving /usr/bin/chromium) with GONGFU_BIN=<absolute target/debug/gongfu>
# and ends with a summary; exits non-zero if any step failed.
#
# Run only some steps:   ./scripts/test.sh fmt clippy      (deps always runs first)
#
# Works as root on a fresh Debian 12 machine (CI: CI=true, no stdin), idempotent: installs
# only what is missing. Needs cargo (with rustfmt and clippy), node >= 20 and npm.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd -P)"
ALL_STEPS=(fmt clippy test pgtest e2e)
APT_PACKAGES=(chromium chromium-driver fonts-noto-cjk poppler-utils)

RESULTS=()   # "ok|FAIL  name  detail" lines for the summary
FAILED=()
TESTS_PASSED=0
TESTS_FAILED=0
TMP_ROOT=""
PG_DIR=""
PG_BIN=""
APT_UPDATED=0

log() { printf '\n==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }

as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "error: need root (or sudo) to run: $*" >&2
        return 1
    fi
}

cleanup() {
    local rc=$?
    stop_postgres || true
    if [[ -n "$TMP_ROOT" && -d "$TMP_ROOT" ]]; then
        rm -rf "$TMP_ROOT"
    fi
    return "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Installing what is missing
# ---------------------------------------------------------------------------------------------

pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# apt_install PKG... — installs those of PKG that are not installed; `apt-get update` at most once.
apt_install() {
    local missing=() p
    for p in "$@"; do
        pkg_installed "$p" || missing+=("$p")
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        info "already installed: $*"
        return 0
    fi
    if [[ $APT_UPDATED -eq 0 ]]; then
        info "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        APT_UPDATED=1
    fi
    info "apt-get install ${missing[*]}"
    local t0=$SECONDS
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
    info "installed ${missing[*]} in $((SECONDS - t0)) s"
}

install_deps() {
    log "deps: checking tools"
    local missing_tool=0 t
    for t in cargo node npm; do
        if ! command -v "$t" >/dev/null 2>&1; then
            echo "error: '$t' not found on PATH" >&2
            missing_tool=1
        fi
    done
    [[ $missing_tool -eq 0 ]] || return 1
    local node_major
    node_major="$(node -p 'process.versions.node.split(".")[0]')"
    if [[ "$node_major" -lt 20 ]]; then
        echo "error: node >= 20 needed (playwright-core), found $(node --version)" >&2
        return 1
    fi
    info "$(cargo --version); node $(node --version); npm $(npm --version)"
    if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
        info "rustfmt/clippy missing: rustup component add rustfmt clippy"
        rustup component add rustfmt clippy
    fi

    if want test || want pgtest; then
        # The PDF tests read the register with poppler's pdftotext.
        apt_install poppler-utils
    fi
    if want e2e; then
        log "deps: browser packages (${APT_PACKAGES[*]})"
        apt_install "${APT_PACKAGES[@]}"
        info "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium: no version?')"
    fi
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------

# start_postgres: creates a throwaway PostgreSQL cluster for the tests.
#   - finds the server binaries in /usr/lib/postgresql/<ver>/bin (15 preferred; installs
#     Debian's `postgresql` with apt when none are there);
#   - `initdb` a fresh cluster in a temp dir (trust auth, UTF8, fsync off — data is disposable);
#     initdb refuses to run as root, so as root the cluster belongs to the `postgres` user;
#   - `pg_ctl start` on a free loopback port, unix socket inside the temp dir;
#   - creates database gongfu_test and exports
#       GONGFU_TEST_PG_URL=postgres://gongfu@127.0.0.1:<port>/gongfu_test
#   - stop_postgres (run by the EXIT trap) stops the cluster and deletes the temp dir.
start_postgres() {
    log "postgres: starting a throwaway cluster"
    PG_BIN=""
    if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
        PG_BIN=/usr/lib/postgresql/15/bin
    else
        PG_BIN="$(find_pg_bin)"
        if [[ -z "$PG_BIN" ]]; then
            apt_install postgresql
            PG_BIN="$(find_pg_bin)"
        fi
    fi
    if [[ -z "$PG_BIN" || ! -x "$PG_BIN/pg_ctl" ]]; then
        echo "error: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin" >&2
        return 1
    fi
    info "using $PG_BIN ($("$PG_BIN/postgres" --version))"

    local run=()
    PG_DIR="$(mktemp -d /tmp/gongfu-pg.XXXXXX)" # /tmp: the postgres user must reach it
    if [[ $EUID -eq 0 ]]; then
        if ! id postgres >/dev/null 2>&1; then
            apt_install postgresql-common # creates the postgres system user
        fi
        chown postgres: "$PG_DIR"
        run=(runuser -u postgres --)
    fi
    chmod 700 "$PG_DIR"

    local port
    port="$(free_port)"
    "${run[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U gongfu --auth=trust \
        -E UTF8 --locale=C --no-sync >"$PG_DIR/initdb.log" 2>&1 || {
        cat "$PG_DIR/initdb.log" >&2
        return 1
    }
    "${run[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || {
        cat "$PG_DIR/server.log" >&2
        return 1
    }
    "${run[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U gongfu gongfu_test
    export GONGFU_TEST_PG_URL="postgres://gongfu@127.0.0.1:$port/gongfu_test"
    info "GONGFU_TEST_PG_URL=$GONGFU_TEST_PG_URL (data in $PG_DIR)"
}

stop_postgres() {
    [[ -n "$PG_DIR" && -d "$PG_DIR" ]] || return 0
    if [[ -f "$PG_DIR/data/postmaster.pid" ]]; then
        local run=()
        [[ $EUID -eq 0 ]] && run=(runuser -u postgres --)
        "${run[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_DIR"
    PG_DIR=""
}

find_pg_bin() {
    local f
    f="$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)"
    [[ -x "$f" ]] && dirname "$f"
    return 0
}

free_port() {
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{const p=s.address().port;s.close(()=>console.log(p))})'
}

# ---------------------------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------------------------

# Add "test result:" (cargo) and "# pass / # fail" or "ℹ pass / ℹ fail" (node) counts from a log.
count_tests() {
    local file=$1 p f
    p="$(grep -aoE 'test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed' "$file" |
        awk '{s+=$4} END {print s+0}')"
    f="$(grep -aoE 'test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed' "$file" |
        awk '{s+=$6} END {print s+0}')"
    p=$((p + $(grep -aE '^(# |ℹ )pass [0-9]+$' "$file" | awk '{s+=$3} END {print s+0}')))
    f=$((f + $(grep -aE '^(# |ℹ )fail [0-9]+$' "$file" | awk '{s+=$3} END {print s+0}')))
    TESTS_PASSED=$((TESTS_PASSED + p))
    TESTS_FAILED=$((TESTS_FAILED + f))
}

step_fmt() { cargo fmt --all -- --check; }

step_clippy() { cargo clippy --workspace --all-targets -- -D warnings; }

step_test() {
    local out="$TMP_ROOT/cargo-test.log" rc=0
    # SQLite: every test opens its own fresh database file.
    env -u GONGFU_TEST_PG_URL cargo test --workspace 2>&1 | tee "$out" || rc=$?
    count_tests "$out"
    return "$rc"
}

# The same database-backed suites (store, io, web API) again, on PostgreSQL: each test creates
# its own database on the server GONGFU_TEST_PG_URL names (a throwaway cluster unless given).
step_pgtest() {
    if [[ -z "${GONGFU_TEST_PG_URL:-}" ]]; then
        start_postgres || return $?
    else
        info "using the given GONGFU_TEST_PG_URL"
    fi
    local out="$TMP_ROOT/cargo-pgtest.log" rc=0
    cargo test -p gongfu-store -p gongfu-io -p gongfu-web 2>&1 | tee "$out" || rc=$?
    count_tests "$out"
    return "$rc"
}

step_e2e() {
    local target_dir="${CARGO_TARGET_DIR:-$ROOT/target}"
    [[ "$target_dir" = /* ]] || target_dir="$ROOT/$target_dir"
    info "cargo build -p gongfu"
    cargo build -p gongfu || return $?
    export GONGFU_BIN="$target_dir/debug/gongfu"
    if [[ ! -x "$GONGFU_BIN" ]]; then
        echo "error: $GONGFU_BIN missing after cargo build -p gongfu" >&2
        return 1
    fi
    info "GONGFU_BIN=$GONGFU_BIN"

    cd "$ROOT/e2e" || return 1
    local stamp=node_modules/.gongfu-lock.sha256 want_sum have_sum=""
    want_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
    [[ -f "$stamp" ]] && have_sum="$(cat "$stamp")"
    if [[ ! -d node_modules || "$want_sum" != "$have_sum" ]]; then
        info "npm ci --no-audit --no-fund (e2e/node_modules missing or package-lock.json changed)"
        npm ci --no-audit --no-fund || { cd "$ROOT"; return 1; }
        echo "$want_sum" >"$stamp"
    else
        info "e2e/node_modules up to date with package-lock.json"
    fi

    info "node --test --test-concurrency=1 tests/"
    local out="$TMP_ROOT/e2e.log" rc=0
    node --test --test-concurrency=1 tests/ 2>&1 | tee "$out" || rc=$?
    cd "$ROOT"
    count_tests "$out"
    return "$rc"
}

want() {
    local s
    for s in "${SELECTED[@]}"; do [[ "$s" == "$1" ]] && return 0; done
    return 1
}

# run NAME — runs step_NAME, records the outcome, never aborts the script.
run() {
    local name=$1 t0=$SECONDS rc=0
    log "$name"
    "step_$name" || rc=$?
    local secs=$((SECONDS - t0))
    if [[ $rc -eq 0 ]]; then
        RESULTS+=("ok    $name (${secs} s)")
    else
        RESULTS+=("FAIL  $name (exit $rc, ${secs} s)")
        FAILED+=("$name")
    fi
}

main() {
    local s
    SELECTED=("$@")
    [[ ${#SELECTED[@]} -gt 0 ]] || SELECTED=("${ALL_STEPS[@]}")
    for s in "${SELECTED[@]}"; do
        if [[ ! " ${ALL_STEPS[*]} " == *" $s "* ]]; then
            echo "usage: $0 [STEP...]   STEP is one of: ${ALL_STEPS[*]} (none given: all)" >&2
            exit 2
        fi
    done

    local t_start=$SECONDS
    log "gongfu tests in $ROOT: ${SELECTED[*]}${CI:+ (CI=$CI)}"
    TMP_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/gongfu-test.XXXXXX")"

    # Setting up is not a test: if it fails, stop here.
    install_deps

    for s in "${ALL_STEPS[@]}"; do
        want "$s" && run "$s"
    done

    log "summary"
    for s in "${RESULTS[@]}"; do info "$s"; done
    echo "tests: $TESTS_PASSED passed, $TESTS_FAILED failed"
    if [[ ${#FAILED[@]} -eq 0 ]]; then
        echo "test.sh: OK, all steps passed (${SELECTED[*]}) in $((SECONDS - t_start)) s"
    else
        echo "test.sh: FAILED steps: ${FAILED[*]} (after $((SECONDS - t_start)) s)"
        exit 1
    fi
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    main "$@"
fi
