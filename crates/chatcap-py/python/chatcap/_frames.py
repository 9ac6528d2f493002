"""Reports as pandas frames (pandas is needed only here)."""

from __future__ import annotations

from typing import Any


def report_frame(report: dict[str, Any]) -> Any:
    """The tidy frame of :meth:`chatcap.Report.to_pandas`: columns ``variation``, ``skill``
    (None for the floor's own metrics: utilization, concurrency, chats in service),
    ``interval`` (from 0; <NA> for the whole run), ``metric``, ``mean`` and ``ci95``."""
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("Report.to_pandas() needs pandas: pip install pandas") from e
    rows: list[tuple[Any, ...]] = []

    def add(variation: str, skill: str | None, interval: int | None, metrics: dict[str, Any]) -> None:
        for metric, est in metrics.items():
            rows.append((variation, skill, interval, metric, est["mean"], est["ci95"]))

    for v in report["variations"]:
        name, r = v["name"], v["report"]
        for s in r["skills"]:
            add(name, s["skill"], None, s["total"])
            add(name, s["skill"], None, {"backlog_growth": s["backlog_growth"]})
            for i, m in enumerate(s["intervals"]):
                add(name, s["skill"], i, m)
        add(name, None, None, r["floor"])
        for i, m in enumerate(r["floor_intervals"]):
            add(name, None, i, m)
    frame = pandas.DataFrame(rows, columns=["variation", "skill", "interval", "metric", "mean", "ci95"])
    frame["interval"] = frame["interval"].astype("Int64")
    frame["mean"] = frame["mean"].astype(float)
    frame["ci95"] = frame["ci95"].astype(float)
    return frame
