"""chatcap from Python against pyworkforce 0.5.1, and sweeps on threads and Dask, in one run.

    python crates/chatcap-py/bench/bench.py            # everything (pyworkforce and dask installed)
    python crates/chatcap-py/bench/bench.py --quick    # fewer repetitions, as CI might

Prints one line per measurement: the best of several runs (the least disturbed by the rest of
the machine), and the ratios the README quotes.
"""

from __future__ import annotations

import argparse
import os
import time

import chatcap
from chatcap.compat.pyworkforce import ErlangC as OurErlangC

try:
    from pyworkforce.queuing import ErlangC as TheirErlangC
except ImportError:  # pragma: no cover
    TheirErlangC = None

# 10,000 Erlang C evaluations: a = 1,000 erlangs on 1,030 positions (the Rust bench's
# erlang_c/10k_evaluations), and 1,000 staffing searches at loads of 100 to 1,099 erlangs.
N_EVAL, AGENTS, LOAD = 10_000, 1030, 1000.0
N_STAFF = 1000

STUDY = """
[run]
interval_minutes = 30
intervals = 16
warmup_minutes = 30
target_seconds = 30

[handle_time]
distribution = "exponential"
mean_seconds = 300
by_concurrency_seconds = [300, 360, 420]

[patience]
mean_seconds = 180

[[skills]]
id = "sales"

[[agents]]
count = 10
id_prefix = "sales-"
skills = ["sales"]
max_chats = 3

[[traffic]]
skill = "sales"
per_hour = [300]
"""
# 64 scenarios: 4 x 4 x 2 x 2.
GRID = {
    "agents.sales": [8, 10, 12, 14],
    "traffic_scale": [0.8, 1.0, 1.2, 1.4],
    "max_chats": [2, 3],
    "routing": ["least-loaded", "round-robin"],
}


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    repeat = 2 if args.quick else 5
    print(f"chatcap {chatcap.__version__}, {os.cpu_count()} cores")

    # --- 10,000 Erlang C evaluations (P(wait) and the service level) ---
    per_hour = LOAD * 3600 / 180
    ours = best(lambda: chatcap.erlang_c([per_hour] * N_EVAL, 180, AGENTS, 20), repeat)
    compat = OurErlangC(transactions=LOAD * 30 / 3, aht=3, asa=20 / 60, interval=30)
    ours_loop = best(lambda: [(compat.waiting_probability(AGENTS), compat.service_level(AGENTS)) for _ in range(N_EVAL)], repeat)
    print(f"erlang_c, {N_EVAL} evaluations, one vectorized call: {ours * 1e3:.1f} ms")
    print(f"compat ErlangC, {N_EVAL} x (waiting_probability, service_level): {ours_loop * 1e3:.1f} ms")
    if TheirErlangC is not None:
        theirs_obj = TheirErlangC(transactions=LOAD * 30 / 3, aht=3, asa=20 / 60, interval=30)
        n = N_EVAL // 10 if args.quick else N_EVAL
        theirs = best(lambda: [(theirs_obj.waiting_probability(AGENTS), theirs_obj.service_level(AGENTS)) for _ in range(n)], 1)
        theirs *= N_EVAL / n
        print(f"pyworkforce 0.5.1, {N_EVAL} x (waiting_probability, service_level): {theirs * 1e3:.0f} ms")
        print(f"  chatcap vectorized is {theirs / ours:.0f} times faster; the compat loop {theirs / ours_loop:.0f} times")

    # --- 1,000 required_positions ---
    loads = [100 + i for i in range(N_STAFF)]
    ours_rp = best(lambda: [OurErlangC(a * 10, 3, 20 / 60, 30).required_positions(0.8) for a in loads], repeat)
    vec = best(lambda: chatcap.staff([a * 1200 for a in loads], 180, 20, 0.8), repeat)
    print(f"compat required_positions, {N_STAFF} calls (loads 100 to {100 + N_STAFF - 1} erlangs): {ours_rp * 1e3:.1f} ms")
    print(f"staff, {N_STAFF} rows in one vectorized call: {vec * 1e3:.1f} ms")
    if TheirErlangC is not None:
        n = N_STAFF // 20 if args.quick else N_STAFF
        sample = loads[:: N_STAFF // n]
        theirs_rp = best(lambda: [TheirErlangC(a * 10, 3, 20 / 60, 30).required_positions(0.8) for a in sample], 1)
        theirs_rp *= N_STAFF / len(sample)
        timed = "all timed" if len(sample) == N_STAFF else f"every {N_STAFF // n}th timed, scaled"
        print(f"pyworkforce 0.5.1 required_positions, {N_STAFF} calls ({timed}): {theirs_rp:.2f} s")
        print(f"  chatcap's compat is {theirs_rp / ours_rp:.0f} times faster")

    # --- a sweep of 64 scenarios ---
    study = chatcap.Study.from_toml(STUDY)
    reps = 20
    from concurrent.futures import ThreadPoolExecutor

    def sweep_on(workers: int):
        with ThreadPoolExecutor(workers) as pool:
            return chatcap.sweep(study, GRID, replications=reps, seed=1, executor=pool)

    r1 = sweep_on(1)
    one = best(lambda: sweep_on(1), max(1, repeat // 2))
    two = best(lambda: sweep_on(2), max(1, repeat // 2))
    assert sweep_on(2) == r1
    print(f"sweep, 64 scenarios x {reps} replications, 1 thread: {one:.2f} s; 2 threads: {two:.2f} s ({one / two:.2f} times)")
    if not args.no_dask:
        try:
            import distributed
        except ImportError:  # pragma: no cover
            return
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            with distributed.Client(cluster) as client:
                chatcap.sweep(study, {"agents.sales": [8, 10]}, replications=1, executor=client)  # warm up the workers
                t = time.perf_counter()
                rd = chatcap.sweep(study, GRID, replications=reps, seed=1, executor=client)
                dask_s = time.perf_counter() - t
        assert rd == r1
        print(f"sweep on a Dask LocalCluster of 2 worker processes: {dask_s:.2f} s ({one / dask_s:.2f} times one thread)")


if __name__ == "__main__":
    main()
