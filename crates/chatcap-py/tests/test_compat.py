"""chatcap.compat.pyworkforce against pyworkforce 0.5.1 itself: its documented examples, a grid
of inputs, and the cases where pyworkforce is wrong."""

from __future__ import annotations

import itertools
import math

import pytest

from chatcap import InputError
from chatcap.compat.pyworkforce import ErlangC
from reference import erlang_c

pyworkforce = pytest.importorskip("pyworkforce.queuing")
Theirs = pyworkforce.ErlangC


def test_pyworkforces_own_examples():
    # pyworkforce's tests (queuing/tests/test_erlang.py) and its docs' example.
    for cls in (ErlangC, Theirs):
        erlang = cls(transactions=100, asa=0.33, aht=3, interval=30, shrinkage=0.3)
        r = erlang.required_positions(service_level=0.8, max_occupancy=0.85)
        assert (r["raw_positions"], r["positions"]) == (14, 20)
        assert [round(r[k], 3) for k in ("service_level", "occupancy", "waiting_probability")] == [0.888, 0.714, 0.174]
        assert round(erlang.service_level(positions=20, scale_positions=True), 3) == 0.888
        assert round(erlang.achieved_occupancy(positions=20, scale_positions=True), 3) == 0.714
        assert round(erlang.waiting_probability(positions=20, scale_positions=True), 3) == 0.174
        over = erlang.required_positions(service_level=0.8, max_occupancy=0.7)
        assert (over["raw_positions"], over["positions"]) == (15, 22)
        assert round(erlang.service_level(positions=22, scale_positions=True), 3) == 0.941
        assert round(erlang.achieved_occupancy(positions=22, scale_positions=True), 3) == 0.667
        assert round(erlang.waiting_probability(positions=22, scale_positions=True), 3) == 0.102
        docs = cls(transactions=100, asa=20 / 60, aht=3, interval=30, shrinkage=0.3)
        assert round(docs.service_level(positions=14), 5) == 0.88835
    # The same shapes: every key of pyworkforce's answer (and one more).
    ours = ErlangC(100, 3, 0.33, 30, 0.3).required_positions(0.8, 0.85)
    assert set(Theirs(100, 3, 0.33, 30, 0.3).required_positions(0.8, 0.85)) <= set(ours)


def test_the_same_checks_and_messages():
    for args, message in [
        ((-20, 3, 0.33, 30, 0.3), "transactions can't be smaller or equals than 0"),
        ((100, -5, 0.33, 30, 0.3), "aht can't be smaller or equals than 0"),
        ((100, 5, 0, 30, 0.3), "asa can't be smaller or equals than 0"),
        ((100, 5, 10, -30, 0.3), "interval can't be smaller or equals than 0"),
        ((100, 5, 10, 30, 1), "shrinkage must be between in the interval [0,1)"),
    ]:
        for cls in (ErlangC, Theirs):
            with pytest.raises(ValueError) as e:
                cls(*args)
            assert str(e.value) == message
    with pytest.raises(ValueError, match="service_level must be between 0 and 1"):
        ErlangC(100, 3, 0.33, 30).required_positions(1.2)


GRID = list(
    itertools.product(
        [20, 100, 350, 1000],  # transactions
        [2, 3, 7.5],  # aht, minutes
        [0.2, 1 / 3, 2],  # asa, minutes
        [30, 60],  # interval, minutes
        [0.0, 0.3],  # shrinkage
    )
)


@pytest.mark.parametrize("transactions, aht, asa, interval, shrinkage", GRID)
def test_a_grid_against_pyworkforce(transactions, aht, asa, interval, shrinkage):
    ours, theirs = ErlangC(transactions, aht, asa, interval, shrinkage), Theirs(transactions, aht, asa, interval, shrinkage)
    a = theirs.intensity
    for n in range(math.floor(a) + 1, math.floor(a) + 12):
        for scale in (False, True):
            if scale and math.floor((1 - shrinkage) * n) <= a:
                continue
            for method in ("waiting_probability", "service_level", "achieved_occupancy"):
                got, want = getattr(ours, method)(n, scale), getattr(theirs, method)(n, scale)
                assert got == pytest.approx(want, rel=1e-9, abs=1e-12), (method, n, scale)
    for sl, occ in [(0.2, 1.0), (0.8, 1.0), (0.9, 0.85), (0.95, 0.7)]:
        mine, yours = ours.required_positions(sl, occ), theirs.required_positions(sl, occ)
        if mine["raw_positions"] == yours["raw_positions"]:
            for key in yours:
                assert mine[key] == pytest.approx(yours[key], rel=1e-9), key
        else:
            # pyworkforce starts at round(a + 1), past floor(a) + 1 when a's fraction is at
            # least a half: ours is that first stable staffing, and it meets the target.
            assert a % 1 >= 0.5 and mine["raw_positions"] == math.floor(a) + 1 == yours["raw_positions"] - 1
            assert erlang_c(transactions / interval * 60, aht * 60, mine["raw_positions"], asa * 60)["service_level"] >= sl
            assert mine["occupancy"] <= occ


def test_where_pyworkforce_is_wrong_the_limit_is_returned():
    ours, theirs = ErlangC(100, 3, 1 / 3, 30), Theirs(100, 3, 1 / 3, 30)  # 10 erlangs
    # Below the load pyworkforce's probability leaves [0, 1]; with no positions it divides by
    # zero; at 12 erlangs on 12 positions its rounding passes 1.
    assert theirs.waiting_probability(9) > 1
    assert not 0 <= theirs.waiting_probability(4) <= 1
    with pytest.raises(ZeroDivisionError):
        theirs.waiting_probability(0)
    assert Theirs(100, 3, 1 / 3, 25).waiting_probability(12) > 1
    assert ErlangC(100, 3, 1 / 3, 25).waiting_probability(12) == 1.0
    assert theirs.achieved_occupancy(5) == 2.0
    for n in (0, 4, 9, 10):
        assert ours.waiting_probability(n) == 1.0
        assert ours.service_level(n) == 0.0
    assert ours.achieved_occupancy(5) == 1.0
    with pytest.raises(InputError, match="undefined"):
        ours.achieved_occupancy(0)
    with pytest.raises(InputError, match="whole number"):
        ours.waiting_probability(2.5)
    # A load of 10.6: 11 positions already answer 30% within 2 minutes (33.7%); pyworkforce
    # starts at round(11.6) = 12.
    ours, theirs = ErlangC(106, 3, 2, 30), Theirs(106, 3, 2, 30)
    assert ours.required_positions(0.3)["raw_positions"] == 11
    assert theirs.required_positions(0.3)["raw_positions"] == 12
    assert erlang_c(106 / 30 * 60, 180, 11, 120)["service_level"] >= 0.3
