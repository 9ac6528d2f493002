"""A sweep of the afternoon study (scenarios/afternoon.toml) over head counts and traffic,
plotted with matplotlib: the service level of each skill against the agents added.

    pip install ./crates/chatcap-py matplotlib pandas
    python crates/chatcap-py/examples/sweep_plot.py [OUT.png] [--dask]

With --dask the sweep runs on a local Dask cluster of two worker processes; the figure is the
same either way.
"""

from __future__ import annotations

import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import chatcap

ROOT = pathlib.Path(__file__).resolve().parents[3]


def main() -> None:
    out = next((a for a in sys.argv[1:] if not a.startswith("--")), "sweep.png")
    study = chatcap.Study.from_file(ROOT / "scenarios" / "afternoon.toml")
    grid = {"agents.support": [4, 5, 6, 7, 8], "traffic_scale": [1.0, 1.25]}
    if "--dask" in sys.argv:
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster) as client:
            report = chatcap.sweep(study, grid, replications=20, seed=1, executor=client)
    else:
        report = chatcap.sweep(study, grid, replications=20, seed=1)

    frame = report.to_pandas()
    settings = {v["name"]: v["settings"] for v in report.to_dict()["variations"]}
    sl = frame[frame.interval.isna() & (frame.metric == "service_level") & frame.skill.notna()].copy()
    sl["support_agents"] = [settings[v]["agents.support"] for v in sl.variation]
    sl["traffic"] = [settings[v]["traffic_scale"] for v in sl.variation]

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, (traffic, part) in zip(axes, sl.groupby("traffic")):
        for skill, rows in part.groupby("skill"):
            ax.errorbar(rows.support_agents, rows["mean"], yerr=rows.ci95, marker="o", capsize=3, label=skill)
        ax.axhline(0.8, color="grey", linestyle=":", label="goal 80%")
        ax.set_title(f"traffic x {traffic}")
        ax.set_xlabel("support agents")
    axes[0].set_ylabel("service level (answered within 60 s)")
    axes[0].legend()
    fig.suptitle("Afternoon study: service level by support head count, 20 replications, 95% intervals")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print(f"wrote {out}: {len(report)} variations")


if __name__ == "__main__":
    main()
