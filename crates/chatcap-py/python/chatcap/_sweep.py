"""Sweeps: every combination of a grid of settings, one variation each, on any executor."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chatcap import _chatcap
from chatcap._chatcap import InputError, Report, Study

_MASK = (1 << 64) - 1


def task_seed(seed: int, index: int) -> int:
    """The seed of a sweep's task ``index`` (from 0): SplitMix64 of the sweep's seed advanced
    ``index + 1`` steps, so tasks draw unrelated streams and the answer does not depend on which
    worker runs which task."""
    z = (seed + (index + 1) * 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _run(task: tuple[Study, list[tuple[str, Any]], int, int]) -> Report:
    study, settings, replications, seed = task
    return _chatcap.sweep_task(study, settings, replications, seed)


def _is_dask_client(executor: object) -> bool:
    return type(executor).__module__.split(".")[0] == "distributed" and hasattr(executor, "gather")


def sweep(
    study: Study,
    grid: Mapping[str, Iterable[Any]],
    replications: int = 20,
    seed: int = 1,
    executor: Any = None,
) -> Report:
    """Simulates the study's base scenario at every combination of the grid's settings, one
    variation each (named ``"agents.sales=8, traffic_scale=1.25"``), in the grid's order (the
    last key varies fastest).

    The keys (the same as :meth:`Study.with_settings`):

    - ``agents.GROUP``: the head count of the ``[[agents]]`` group whose ``id_prefix`` is
      ``GROUP`` or ``GROUP-`` (``agents.sales`` for ``id_prefix = "sales-"``);
    - ``traffic_scale``: every traffic rate times this factor;
    - ``aht_scale``: every handle time (means, deviations, samples, per-level means) times this;
    - ``max_chats``: every agent group's chat limit, a number or ``"unlimited"``;
    - ``routing``: ``least-loaded``, ``most-free``, ``fewest-chats``, ``longest-in-state`` or
      ``round-robin``;
    - ``patience_s``: the mean patience in seconds; ``target_s``: the service-level target.

    ``executor`` runs the tasks: None for threads on this machine (one per core), any
    ``concurrent.futures.Executor`` (threads or processes), anything else with a
    ``map(function, iterable)`` method (``multiprocessing.Pool``, Ray's
    ``ray.util.multiprocessing.Pool``), or a ``dask.distributed.Client``. Task ``i`` runs on one
    thread with the seed :func:`task_seed` ``(seed, i)``, so the report is the same whatever
    the executor and however many workers.
    """
    if not isinstance(study, Study):
        raise InputError(f"sweep needs a chatcap.Study, got {type(study).__name__}")
    keys = list(grid)
    values = []
    for key in keys:
        if isinstance(grid[key], (str, bytes)):
            raise InputError(f"grid {key!r}: expected a list of values, got the string {grid[key]!r}")
        vs = list(grid[key])
        if not vs:
            raise InputError(f"grid {key!r}: no values")
        values.append(vs)
    points = [list(zip(keys, combo)) for combo in itertools.product(*values)]
    # Every point is checked here, before any is sent away: a bad value fails at once.
    for point in points:
        study.with_settings(dict(point))
    tasks = [(study, point, replications, task_seed(seed, i)) for i, point in enumerate(points)]
    if executor is None:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            reports = list(pool.map(_run, tasks))
    elif _is_dask_client(executor):
        futures = executor.map(_run, tasks, pure=False)
        reports = executor.gather(futures)
    elif callable(getattr(executor, "map", None)):
        reports = list(executor.map(_run, tasks))
    else:
        raise InputError(
            f"executor {type(executor).__name__}: expected None, a concurrent.futures.Executor, "
            "something with a map(function, iterable) method, or a dask.distributed.Client"
        )
    return Report.concat(list(reports))
