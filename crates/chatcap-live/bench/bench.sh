#!/usr/bin/env bash
# Load bench of `chatcap serve` on loopback, with wrk (Debian's package, installed if missing).
#
# One server (examples/bench_server.rs: one worker thread unless WORKERS says otherwise) follows
# a fake vendor whose 10,000-agent floor changes on every poll, synced every second. In the same
# run, wrk measures a trivial route of that server (/healthz), /v1/offer and LivePerson's
# availableSlots route, each for DURATION seconds at CONNECTIONS connections, and the script
# prints requests per second, p50 and p99 latency, and each real route against the trivial one.
#
#   bash crates/chatcap-live/bench/bench.sh            # 64 connections, 10 s a route
#   CONNECTIONS=128 DURATION=20 WORKERS=2 bash crates/chatcap-live/bench/bench.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."

CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10}
WORKERS=${WORKERS:-1}
AGENTS=${AGENTS:-10000}
THREADS=${THREADS:-1}

if ! command -v wrk >/dev/null; then
    echo "installing wrk from Debian's packages" >&2
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build -q --release -p chatcap-live --example bench_server
log=$(mktemp)
"$CARGO_TARGET_DIR/release/examples/bench_server" --agents "$AGENTS" --workers "$WORKERS" >"$log" 2>/dev/null &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 600); do
    grep -q '^listening' "$log" && break
    kill -0 "$server" 2>/dev/null || { echo "the bench server died" >&2; exit 1; }
    sleep 0.1
done
read -r _ base token < <(grep '^listening' "$log")

routes=(
    "trivial|/healthz"
    "offer|/v1/offer?skill=1003&max_wait_s=120"
    "availableSlots|/api/account/1/chat/availableSlots?skill=1003&maxWaitTime=60"
)
# One short warm-up, so that the first route does not pay for connection set-up alone.
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -H "Authorization: Bearer $token" "$base/healthz" >/dev/null

printf '%-16s %12s %10s %10s %8s\n' route "requests/s" "p50" "p99" "ratio"
trivial=""
for entry in "${routes[@]}"; do
    name=${entry%%|*}
    path=${entry#*|}
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "$base$path")
    if ! grep -q 'Non-2xx' <<<"$out"; then :; else echo "$name: non-2xx answers:" >&2; echo "$out" >&2; exit 1; fi
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    if [ -z "$trivial" ]; then trivial=$rps; fi
    ratio=$(awk -v a="$rps" -v b="$trivial" 'BEGIN {printf "%.2f", a / b}')
    printf '%-16s %12s %10s %10s %8s\n' "$name" "$rps" "$p50" "$p99" "$ratio"
done
# The source kept syncing throughout: its polls, from the server's own metrics.
curl -s -H "Authorization: Bearer $token" "$base/metrics" | grep -E '^chatcap_polls_total|^chatcap_data_age_seconds' || true
