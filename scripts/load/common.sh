# What the load benchmarks share: the digits binary, a real `digits serve` on loopback on a
# fresh copy of a database kept in $work (only the first run imports MNIST and trains; what a
# run stores is gone in the next), and `measure`, which runs wrk. Sourced by
# scripts/load-benchmark and scripts/hostile-benchmark from the repository's root.
for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "the benchmark needs $tool (apt-get install $tool)" >&2; exit 1; }
done
export MNIST_DIR="${MNIST_DIR:-$(cd .. && pwd)/shared/data/mnist}"
digits="${DIGITS_BIN:-}"
if [ -z "$digits" ]; then
    swift build -c release --product digits >/dev/null
    digits=.build/release/digits
fi
work="${BENCH_DIR:-${TMPDIR:-/tmp}/digits-load-benchmark}"
mkdir -p "$work"
port="${PORT:-18080}"
duration="${DURATION:-10}"
threads="${THREADS:-1}"
url="http://127.0.0.1:$port"
token="load-benchmark-token"
python3 scripts/load/drawing.py "$work/seven.png"

# Retrainings start only when a benchmark asks for them, or every RETRAIN_EVERY digits.
serve() {
    DIGITS_ADMIN_TOKEN="$token" DIGITS_STORES_PER_MINUTE="${STORES_PER_MINUTE:-0}" DIGITS_RETRAIN_EVERY="${RETRAIN_EVERY:-1000000000}" "$digits" serve --database "$1" \
        --port "$port" --data "$MNIST_DIR" --admin-token-file "$work/admin-token" >"$work/server.log" 2>&1 &
    server=$!
}
waitUntilHealthy() {
    for _ in $(seq 600); do
        curl -sf "$url/health" >/dev/null && return 0
        kill -0 "$server" 2>/dev/null || { echo "the server stopped:" >&2; tail -5 "$work/server.log" >&2; exit 1; }
        sleep 0.5
    done
    echo "the server did not become healthy" >&2
    exit 1
}
if [ ! -f "$work/bench.sqlite" ]; then
    serve "$work/bench.sqlite.new"
    waitUntilHealthy
    kill "$server"
    wait "$server" 2>/dev/null || true
    mv "$work/bench.sqlite.new" "$work/bench.sqlite"
fi
rm -f "$work"/run.sqlite*
cp "$work/bench.sqlite" "$work/run.sqlite"
# People's digits to start with (a folder or file `digits import` reads), as if people had stored them.
if [ -n "${IMPORT:-}" ]; then "$digits" import "$IMPORT" --database "$work/run.sqlite" >&2; fi
# Written out now: else the first checkpoint's fsync writes the whole copy, inside a measured run.
sync "$work/run.sqlite"
serve "$work/run.sqlite"
background=()
cleanup() {
    for job in "${background[@]}"; do kill "$job" 2>/dev/null || true; done
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
}
trap cleanup EXIT
waitUntilHealthy

# measure LABEL SECONDS CONNECTIONS [DRAWING [SCRIPT PATH]]: runs wrk (by default guesses of
# the 280x280 drawing) and prints "label: N requests/s, p50 … ms" from the script's RESULT
# line; sets $rate and $p99.
measure() {
    local label=$1 seconds=$2 connections=$3 drawing=${4:-$work/seven.png} script=${5:-guess} path=${6:-/api/guess}
    local line requests p50 p90 max non2xx socket
    line=$(DRAWING="$drawing" wrk -t"$threads" -c"$connections" -d"${seconds}s" -s "scripts/load/$script.lua" "$url$path" | grep '^RESULT')
    read -r _ requests rate p50 p90 p99 max non2xx socket <<<"$line"
    printf '%-34s %7d requests  %6d /s  p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %7.2f ms  non-2xx %d  socket errors %d\n' \
        "$label" "$requests" "$rate" "$p50" "$p90" "$p99" "$max" "$non2xx" "$socket"
}
