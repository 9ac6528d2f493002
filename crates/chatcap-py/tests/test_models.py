"""The queueing models from Python, against published examples and independent references
(exact rational Erlang B and C, a birth-death chain for Erlang A; see reference.py)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import chatcap
from reference import erlang_a_chain, erlang_c

ERLANG_C_KEYS = ["erlang_b", "p_wait", "asa_s", "service_level", "occupancy", "mean_queue_len"]


def close(got: float, want: float, rel: float = 1e-12) -> bool:
    return abs(got - want) <= rel * max(abs(want), 1e-300)


def test_erlang_c_matches_the_erlangc_r_package_readme():
    # CRAN ErlangC 0.1.0: 100 calls in 30 minutes of 180 s, 14 agents, 20 s target.
    m = chatcap.erlang_c(200, 180, 14, 20)
    assert list(m) == ERLANG_C_KEYS  # the keys of `chatcap erlang-c --json`, in its order
    assert abs(m["p_wait"] - 0.1741319) < 5e-8
    assert abs(m["service_level"] - 0.88835) < 5e-6
    assert abs(m["occupancy"] - 0.7142857) < 5e-8
    # Its search table: 11 agents wait with probability 0.6821182, service level 0.3896138.
    m11 = chatcap.erlang_c(200, 180, 11, 20)
    assert abs(m11["p_wait"] - 0.6821182) < 5e-8
    assert abs(m11["service_level"] - 0.3896138) < 5e-8


@pytest.mark.parametrize(
    "per_hour, aht_s, agents, target_s",
    [(200, 180, 14, 20), (36, 100, 2, 0), (7200, 300, 620, 15), (1e5, 180, 5100, 30), (90, 40, 2, 5)],
)
def test_erlang_c_matches_exact_rationals(per_hour, aht_s, agents, target_s):
    want = erlang_c(per_hour, aht_s, agents, target_s)
    got = chatcap.erlang_c(per_hour, aht_s, agents, target_s)
    for key in ERLANG_C_KEYS:
        assert close(got[key], want[key], 1e-11), (key, got[key], want[key])


@pytest.mark.parametrize("per_hour, aht_s, agents, patience_s", [(200, 180, 12, 60), (200, 180, 8, 240), (1200, 300, 95, 120)])
def test_erlang_a_matches_the_birth_death_chain(per_hour, aht_s, agents, patience_s):
    want = erlang_a_chain(per_hour, aht_s, agents, patience_s)
    got = chatcap.erlang_a(per_hour, aht_s, agents, 20, patience_s)
    for key in ["p_wait", "p_abandon", "mean_queue_len", "occupancy"]:
        assert close(got[key], want[key], 1e-9), (key, got[key], want[key])


def test_erlang_a_with_long_patience_tends_to_erlang_c():
    c = chatcap.erlang_c(200, 180, 14, 20)
    a = chatcap.erlang_a(200, 180, 14, 20, 1e9)
    assert abs(a["p_wait"] - c["p_wait"]) < 1e-6
    assert abs(a["service_level"] - c["service_level"]) < 1e-6


def test_chat_model_with_equal_handle_times_is_erlang_on_every_slot():
    # An agent's chats each end at rate 1/AHT whatever it holds: N agents of m chats serve as
    # N * m single-chat agents (Erlang A with patience, Erlang C without).
    m = chatcap.chat_model(5, 3, [240, 240, 240], 200, 20, patience_s=90)
    want = erlang_a_chain(200, 240, 15, 90)
    assert m["method"] == "exact"
    assert close(m["p_wait"], want["p_wait"], 1e-9)
    assert close(m["p_abandon"], want["p_abandon"], 1e-9)
    no_patience = chatcap.chat_model(5, 3, [240, 240, 240], 200, 20)
    assert close(no_patience["p_wait"], erlang_c(200, 240, 15, 20)["p_wait"], 1e-9)


def fewest_agents(per_hour, aht_s, target_s, sl, max_occupancy=1.0):
    """The smallest n with n > a, SL(n) >= sl and a / n <= max_occupancy, by plain search."""
    a = per_hour * aht_s / 3600
    n = math.floor(a) + 1
    while erlang_c(per_hour, aht_s, n, target_s)["service_level"] < sl or a / n > max_occupancy:
        n += 1
    return n


@pytest.mark.parametrize(
    "per_hour, aht_s, target_s, sl, occ",
    [(200, 180, 20, 0.8, 1.0), (200, 180, 20, 0.8, 0.7), (1000, 240, 30, 0.9, 1.0), (20, 600, 60, 0.95, 1.0)],
)
def test_staff_finds_the_fewest_agents(per_hour, aht_s, target_s, sl, occ):
    s = chatcap.staff(per_hour, aht_s, target_s, sl, max_occupancy=occ)
    n = fewest_agents(per_hour, aht_s, target_s, sl, occ)
    assert s["required_agents"] == n
    want = erlang_c(per_hour, aht_s, n, target_s)
    assert close(s["achieved_sl"], want["service_level"], 1e-11)
    assert close(s["p_wait"], want["p_wait"], 1e-11)
    assert close(s["offered_load_agents"], per_hour * aht_s / 3600, 1e-15)
    assert s["below_offered_load"] is False


def test_staff_with_patience_and_with_the_chat_model():
    s = chatcap.staff(200, 180, 20, 0.8, patience_s=60)
    # The fewest agents whose Erlang A service level meets 80%: the one below it does not.
    got = chatcap.erlang_a(200, 180, s["required_agents"], 20, 60)["service_level"]
    below = chatcap.erlang_a(200, 180, s["required_agents"] - 1, 20, 60)["service_level"]
    assert got >= 0.8 > below
    chat = chatcap.staff(200, 180, 20, 0.8, max_chats=3, aht_by_concurrency=[180, 240, 300])
    assert chatcap.chat_model(chat["required_agents"], 3, [180, 240, 300], 200, 20)["service_level"] >= 0.8


def test_staff_below_the_offered_load_warns():
    with pytest.warns(chatcap.ChatcapWarning, match="fewer than the offered load of 10.0"):
        s = chatcap.staff(200, 180, 60, 0.5, patience_s=10)
    assert s["below_offered_load"] is True


def test_sequences_numpy_arrays_and_frames():
    agents = [12, 13, 14, 15]
    rows = chatcap.erlang_c(200, 180, agents, 20)
    assert isinstance(rows, list) and len(rows) == 4
    for n, row in zip(agents, rows):
        assert close(row["p_wait"], erlang_c(200, 180, n, 20)["p_wait"], 1e-11)
    assert chatcap.erlang_c(np.full(4, 200.0), 180, np.array(agents), 20) == rows
    frame = chatcap.erlang_c(200, 180, agents, 20, as_frame=True)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["arrivals_per_hour", "aht_s", "agents", "target_s", *ERLANG_C_KEYS]
    assert frame["p_wait"].tolist() == [r["p_wait"] for r in rows]
    one = chatcap.erlang_c(200, 180, 14, 20, as_frame=True)
    assert len(one) == 1
    # A 2-D array of handle times: one row of the chat model each.
    levels = np.array([[180, 240, 300], [200, 200, 200]])
    out = chatcap.chat_model(5, 3, levels, 200, 20, patience_s=[60, 120])
    assert out[1]["p_wait"] == chatcap.chat_model(5, 3, [200, 200, 200], 200, 20, patience_s=120)["p_wait"]
    many = chatcap.staff([100, 200], 180, 20, 0.8, as_frame=True)
    assert many["required_agents"].tolist() == [fewest_agents(100, 180, 20, 0.8), fewest_agents(200, 180, 20, 0.8)]


def test_errors_are_input_errors_with_the_command_lines_messages():
    with pytest.raises(chatcap.InputError, match=r"^agents must be a whole number from 1 to 4294967295, got 2.5$"):
        chatcap.erlang_c(200, 180, 2.5, 20)
    with pytest.raises(ValueError, match="arrivals_per_hour must be a finite number above zero, got -200"):
        chatcap.erlang_c(-200, 180, 14, 20)
    with pytest.raises(chatcap.ChatcapError, match="target_s must be a finite number of seconds of at least 0"):
        chatcap.erlang_a(200, 180, 14, -1, 60)
    # Positions at or below the load: an error, never P(wait) above 1 or a division by zero.
    with pytest.raises(chatcap.InputError, match="queue grows without bound"):
        chatcap.erlang_c(200, 180, 10, 20)
    with pytest.raises(chatcap.InputError, match=r"^row 2: agents must be a whole number"):
        chatcap.erlang_c(200, 180, [14, 15, 0], 20)
    with pytest.raises(chatcap.InputError, match="same length"):
        chatcap.erlang_c([200, 300], 180, [14, 15, 16], 20)
    with pytest.raises(chatcap.InputError, match="aht_by_concurrency has 2 values but max_chats is 3"):
        chatcap.chat_model(5, 3, [180, 240], 200, 20)
    with pytest.raises(chatcap.InputError, match="max_chats 3 needs aht_by_concurrency"):
        chatcap.staff(200, 180, 20, 0.8, max_chats=3)
    with pytest.raises(chatcap.InputError, match="service_level must be above 0 and at most 1"):
        chatcap.staff(200, 180, 20, 1.5)


def test_the_chat_model_past_its_bounds_warns():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = chatcap.chat_model(20000, 4, [300, 360, 420, 1500], 190000, 20, patience_s=120)
    assert m["method"] == "scaled" and m["p_wait_error_bound"] is None
    assert any("no error bound" in str(w.message) for w in caught)
