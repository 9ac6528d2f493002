"""The queueing models, vectorized: scalars answer with a dict, sequences with a list of dicts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from chatcap import _chatcap
from chatcap._chatcap import InputError

if TYPE_CHECKING:
    import pandas

Number = float | int
#: A number, or one number per row: a sequence or a numpy array.
Numbers = Number | Sequence[Number] | Any


def _is_column(x: object) -> bool:
    """Whether an argument gives one value per row (a sequence or an array, not a scalar)."""
    if isinstance(x, (str, bytes)):
        return False
    ndim = getattr(x, "ndim", None)
    if ndim is not None:
        return bool(ndim > 0)
    return hasattr(x, "__len__") and hasattr(x, "__iter__")


def _as_list(x: Any) -> list[Any]:
    tolist = getattr(x, "tolist", None)
    return list(tolist()) if callable(tolist) else list(x)


def _scalar(x: Any) -> Any:
    item = getattr(x, "item", None)
    return item() if callable(item) and getattr(x, "ndim", None) == 0 else x


def _broadcast(args: dict[str, Any], levels: dict[str, Any]) -> tuple[int, bool, dict[str, list[Any]]]:
    """Columns of equal length from `args` (numbers or columns of them) and `levels` (a list of
    handle times, one per row, or one list for every row; None allowed)."""
    lengths: dict[str, int] = {}
    columns: dict[str, Any] = {}
    for name, value in args.items():
        if _is_column(value):
            columns[name] = _as_list(value)
            lengths[name] = len(columns[name])
    for name, value in levels.items():
        if value is not None and _is_column(value):
            rows = _as_list(value)
            if rows and all(r is None or _is_column(r) for r in rows):
                columns[name] = [None if r is None else [float(x) for x in _as_list(r)] for r in rows]
                lengths[name] = len(rows)
    if len(set(lengths.values())) > 1:
        given = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise InputError(f"sequence arguments must have one value per row, all of the same length: {given}")
    vectorized = bool(lengths)
    n = next(iter(lengths.values())) if lengths else 1
    out: dict[str, list[Any]] = {}
    for name, value in args.items():
        out[name] = columns[name] if name in columns else [_scalar(value)] * n
    for name, value in levels.items():
        if name in columns:
            out[name] = columns[name]
        elif value is None:
            out[name] = [None] * n
        else:
            out[name] = [[float(x) for x in _as_list(value)]] * n
    return n, vectorized, out


def _answer(
    rows: Callable[..., list[dict[str, Any]]],
    order: list[str],
    args: dict[str, Any],
    levels: dict[str, Any],
    as_frame: bool,
) -> Any:
    _, vectorized, columns = _broadcast(args, levels)
    try:
        answers = rows(*(columns[name] for name in order))
    except TypeError as e:
        raise InputError(f"arguments must be numbers or sequences of numbers: {e}") from None
    if as_frame:
        return _frame(columns, order, answers)
    return answers if vectorized else answers[0]


def _frame(columns: dict[str, list[Any]], order: list[str], answers: list[dict[str, Any]]) -> pandas.DataFrame:
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("as_frame=True needs pandas: pip install pandas") from e
    inputs = pandas.DataFrame({name: columns[name] for name in order})
    return pandas.concat([inputs, pandas.DataFrame(answers)], axis=1)


def erlang_c(
    arrivals_per_hour: Numbers, aht_s: Numbers, agents: Numbers, target_s: Numbers, *, as_frame: bool = False
) -> Any:
    """Erlang C (no abandonment): the keys of ``chatcap erlang-c --json``.

    ``erlang_b``, ``p_wait``, ``asa_s`` (mean wait of all visitors), ``service_level`` (answered
    within ``target_s``; at 0 s, answered with no wait), ``occupancy`` and ``mean_queue_len``.
    ``agents`` must exceed the offered load (``arrivals_per_hour * aht_s / 3600``): otherwise the
    queue grows without bound and :class:`InputError` says so.

    Any argument may be a sequence or a numpy array, one value per row (scalars repeat): the
    answer is then a list of dicts, or with ``as_frame=True`` a pandas DataFrame of the
    arguments and the answers.
    """
    order = ["arrivals_per_hour", "aht_s", "agents", "target_s"]
    args = dict(zip(order, (arrivals_per_hour, aht_s, agents, target_s)))
    return _answer(_chatcap.erlang_c_rows, order, args, {}, as_frame)


def erlang_a(
    arrivals_per_hour: Numbers,
    aht_s: Numbers,
    agents: Numbers,
    target_s: Numbers,
    patience_s: Numbers,
    *,
    as_frame: bool = False,
) -> Any:
    """Erlang A (exponential patience with mean ``patience_s``): the keys of
    ``chatcap erlang-a --json``.

    ``p_wait``, ``p_abandon``, ``asa_served_s``, ``mean_wait_all_s``, ``service_level``
    (answered within the target over offered), ``sl_served_within_t_over_served``,
    ``p_offered_wait_le_t``, ``occupancy``, ``mean_queue_len``. Vectorized as :func:`erlang_c`.
    """
    order = ["arrivals_per_hour", "aht_s", "agents", "target_s", "patience_s"]
    args = dict(zip(order, (arrivals_per_hour, aht_s, agents, target_s, patience_s)))
    return _answer(_chatcap.erlang_a_rows, order, args, {}, as_frame)


def chat_model(
    agents: Numbers,
    max_chats: Numbers,
    aht_by_concurrency: Sequence[Number] | Sequence[Sequence[Number]] | Any,
    arrivals_per_hour: Numbers,
    target_s: Numbers,
    patience_s: Numbers | None = None,
    *,
    as_frame: bool = False,
) -> Any:
    """The chat concurrency model: agents holding up to ``max_chats`` chats, each chat's mean
    handle time ``aht_by_concurrency[k - 1]`` while the agent holds ``k``. The keys of
    ``chatcap chat-model --json``: ``p_wait``, ``p_abandon``, ``mean_wait_all_s``,
    ``asa_served_s``, ``service_level``, ``mean_chats_in_service``, ``agent_utilization``,
    ``slot_occupancy``, ``method`` (exact, window, scaled or balanced), ``p_wait_error_bound`` (None
    when nothing bounds it, with a :class:`ChatcapWarning`) and ``exact_states``.

    Without ``patience_s`` visitors never give up. ``aht_by_concurrency`` is one list for every
    row, or a list of lists (a 2-D array), one per row; the rest is vectorized as
    :func:`erlang_c`.
    """
    order = ["agents", "max_chats", "aht_by_concurrency", "arrivals_per_hour", "target_s", "patience_s"]
    args = {"agents": agents, "max_chats": max_chats, "arrivals_per_hour": arrivals_per_hour, "target_s": target_s}
    args["patience_s"] = patience_s
    return _answer(_chatcap.chat_model_rows, order, args, {"aht_by_concurrency": aht_by_concurrency}, as_frame)


def staff(
    arrivals_per_hour: Numbers,
    aht_s: Numbers,
    target_s: Numbers,
    service_level: Numbers,
    patience_s: Numbers | None = None,
    max_occupancy: Numbers | None = None,
    max_chats: Numbers = 1,
    aht_by_concurrency: Sequence[Number] | Sequence[Sequence[Number] | None] | Any | None = None,
    *,
    as_frame: bool = False,
) -> Any:
    """The fewest agents answering ``service_level`` of visitors within ``target_s``, optionally
    with occupancy at most ``max_occupancy``, and the metrics at that staffing: the keys of
    ``chatcap staff --json`` (``required_agents``, ``achieved_sl``, ``p_wait``, ``asa_s``,
    ``p_abandon``, ``occupancy``, ``offered_load_agents``, ``below_offered_load``).

    Erlang C without ``patience_s``, Erlang A with it, and the chat model with
    ``aht_by_concurrency`` (one handle time per level up to ``max_chats``). Staffing below the
    offered load (abandonment meets the target) warns with a :class:`ChatcapWarning`.
    Vectorized as :func:`erlang_c`.
    """
    order = [
        "arrivals_per_hour",
        "aht_s",
        "target_s",
        "service_level",
        "patience_s",
        "max_occupancy",
        "max_chats",
        "aht_by_concurrency",
    ]
    args = {
        "arrivals_per_hour": arrivals_per_hour,
        "aht_s": aht_s,
        "target_s": target_s,
        "service_level": service_level,
        "patience_s": patience_s,
        "max_occupancy": max_occupancy,
        "max_chats": max_chats,
    }
    return _answer(_chatcap.staff_rows, order, args, {"aht_by_concurrency": aht_by_concurrency}, as_frame)
