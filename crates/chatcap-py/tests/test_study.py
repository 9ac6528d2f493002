"""Studies, reports and sweeps: the simulator against Erlang A, settings, pickling, and sweeps
that give the same report on every executor."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import pathlib
import pickle

import pytest

import chatcap
from reference import erlang_a_chain

SCENARIOS = pathlib.Path(__file__).resolve().parents[3] / "scenarios"
SINGLE = (SCENARIOS / "single-skill.toml").read_text()

# A small study for sweeps: two skills, two hours, quick to run.
SMALL = """
[run]
interval_minutes = 30
intervals = 4
warmup_minutes = 30
target_seconds = 30

[handle_time]
distribution = "exponential"
mean_seconds = 240

[patience]
mean_seconds = 180

[[skills]]
id = "sales"

[[skills]]
id = "billing"

[[agents]]
count = 4
id_prefix = "sales-"
skills = ["sales"]
max_chats = 2

[[agents]]
count = 3
id_prefix = "billing-"
skills = ["billing", "sales"]
max_chats = 2

[[traffic]]
skill = "sales"
per_hour = [60, 80, 70, 60]

[[traffic]]
skill = "billing"
per_hour = [30]
"""

GRID = {"agents.sales": [3, 5], "traffic_scale": [1.0, 1.25], "max_chats": [2, 3]}


def test_the_simulator_agrees_with_erlang_a():
    # M/M/12+M, 120 an hour of 300 s, patience 180 s: the stationary answer from the chain.
    study = chatcap.Study.from_toml(SINGLE)
    assert study.variations == ["base", "thirteen agents"]
    report = study.simulate(replications=40, seed=7, variations=["base"])
    total = report.to_dict()["variations"][0]["report"]["skills"][0]["total"]
    want = erlang_a_chain(120, 300, 12, 180)
    for metric, key in [("p_wait", "p_wait"), ("p_abandon", "p_abandon")]:
        est = total[metric]
        # Within the 95% interval, widened for the warm-up's bias and 40 replications' noise.
        assert abs(est["mean"] - want[key]) <= 2 * est["ci95"] + 0.01, (metric, est, want[key])


def test_settings_change_the_file():
    study = chatcap.Study.from_toml(SMALL)
    more = study.with_settings({"agents.sales": 6, "traffic_scale": 2.0, "routing": "round-robin"})
    assert more.settings == {"agents.sales": 6, "traffic_scale": 2.0, "routing": "round-robin"}
    base = study.simulate(replications=4, seed=3).to_dict()["variations"][0]["report"]
    doubled = more.simulate(replications=4, seed=3).to_dict()["variations"][0]["report"]
    offered = lambda r: sum(s["total"]["offered"]["mean"] for s in r["skills"])  # noqa: E731
    # Twice the traffic: about twice the visitors (Poisson counts of about 100 and 200).
    assert 1.6 < offered(doubled) / offered(base) < 2.4
    with pytest.raises(chatcap.InputError, match="names no \\[\\[agents\\]\\] group"):
        study.with_settings({"agents.support": 3})
    with pytest.raises(chatcap.InputError, match="unknown setting"):
        study.with_settings({"agent_count": 3})
    with pytest.raises(chatcap.InputError, match="unknown routing"):
        study.with_settings({"routing": "random"})


def test_bad_files_are_input_errors_with_line_and_column(tmp_path):
    with pytest.raises(chatcap.InputError, match="line 3"):
        chatcap.Study.from_toml("[run]\ninterval_minutes = 15\nintervals = -1\n")
    path = tmp_path / "s.toml"
    path.write_text(SMALL)
    assert chatcap.Study.from_file(path).variations == ["base"]
    with pytest.raises(chatcap.InputError, match="cannot read the scenario file"):
        chatcap.Study.from_file(tmp_path / "missing.toml")


def test_studies_and_reports_pickle():
    study = chatcap.Study.from_toml(SMALL).with_settings({"agents.sales": 5})
    again = pickle.loads(pickle.dumps(study))
    assert again.settings == study.settings and again.text == study.text
    report = study.simulate(replications=3, seed=5)
    assert pickle.loads(pickle.dumps(report)) == report
    assert again.simulate(replications=3, seed=5) == report  # the same study, the same answer
    assert study.simulate(replications=3, seed=6) != report


def test_report_frames_are_tidy():
    report = chatcap.Study.from_toml(SMALL).simulate(replications=3, seed=1)
    frame = report.to_pandas()
    assert list(frame.columns) == ["variation", "skill", "interval", "metric", "mean", "ci95"]
    d = report.to_dict()["variations"][0]["report"]
    row = frame[(frame.skill == "sales") & frame.interval.isna() & (frame.metric == "service_level")]
    assert row["mean"].item() == d["skills"][0]["total"]["service_level"]["mean"]
    assert set(frame.interval.dropna()) == {0, 1, 2, 3}
    assert frame[frame.skill.isna()].metric.unique().tolist() == [
        "agent_utilization",
        "mean_concurrency",
        "mean_chats_in_service",
    ]


class Serial:
    """Runs a sweep's tasks one after another in this thread: the sequential reference."""

    def map(self, fn, tasks):
        return [fn(t) for t in tasks]


@pytest.fixture(scope="module")
def sequential():
    return chatcap.sweep(chatcap.Study.from_toml(SMALL), GRID, replications=4, seed=11, executor=Serial())


def test_a_sweep_is_every_combination(sequential):
    assert len(sequential) == 8
    assert sequential.variations[0] == "agents.sales=3, traffic_scale=1.0, max_chats=2"
    assert sequential.variations[-1] == "agents.sales=5, traffic_scale=1.25, max_chats=3"
    v = sequential.to_dict()["variations"][5]
    assert v["settings"] == {"agents.sales": 5, "traffic_scale": 1.0, "max_chats": 3}


def test_sweeps_on_threads_and_processes_equal_the_sequential_one(sequential):
    study = chatcap.Study.from_toml(SMALL)
    assert chatcap.sweep(study, GRID, replications=4, seed=11) == sequential  # local threads
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        assert chatcap.sweep(study, GRID, replications=4, seed=11, executor=pool) == sequential
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as pool:
        assert chatcap.sweep(study, GRID, replications=4, seed=11, executor=pool) == sequential
    # multiprocessing.Pool has the map of Ray's ray.util.multiprocessing.Pool (the README's recipe).
    with ctx.Pool(2) as pool:
        assert chatcap.sweep(study, GRID, replications=4, seed=11, executor=pool) == sequential
    assert chatcap.sweep(study, GRID, replications=4, seed=12, executor=Serial()) != sequential


def test_sweeps_on_dask_equal_the_sequential_one(sequential):
    distributed = pytest.importorskip("distributed")
    study = chatcap.Study.from_toml(SMALL)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            assert chatcap.sweep(study, GRID, replications=4, seed=11, executor=client) == sequential
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            assert len(client.scheduler_info()["workers"]) == 2
            assert chatcap.sweep(study, GRID, replications=4, seed=11, executor=client) == sequential


def test_bad_grids_fail_before_anything_runs():
    study = chatcap.Study.from_toml(SMALL)
    with pytest.raises(chatcap.InputError, match="no values"):
        chatcap.sweep(study, {"agents.sales": []})
    with pytest.raises(chatcap.InputError, match="setting max_chats"):
        chatcap.sweep(study, {"max_chats": [2, "three"]}, executor=Serial())
