"""pyworkforce's ``ErlangC``, computed by chatcap: change one import.

.. code-block:: python

    # from pyworkforce.queuing import ErlangC
    from chatcap.compat.pyworkforce import ErlangC

    erlang = ErlangC(transactions=100, asa=20 / 60, aht=3, interval=30, shrinkage=0.3)
    erlang.required_positions(service_level=0.8, max_occupancy=0.85)
    # {'raw_positions': 14, 'positions': 20, 'service_level': 0.888..., 'occupancy': 0.714...,
    #  'waiting_probability': 0.174..., 'scaled_positions': 20.0}

The arguments, their units (minutes for ``aht``, ``asa`` and ``interval``), the checks and their
messages, and the shapes of the answers are pyworkforce 0.5.1's. Where pyworkforce is wrong,
this module is not, and says so here:

- **Positions at or below the load** (``positions <= transactions / interval * aht``): the
  queue grows without bound. pyworkforce's formula then gives a waiting probability above 1
  or below 0 (above 1 by rounding even at equality, as at 12 positions for 12 erlangs), a
  service level above 1 where that probability is negative, an occupancy above 1, and with no
  positions it divides by zero. Here ``waiting_probability`` is 1 (every visitor waits, in the limit),
  ``service_level`` 0 (none is answered within any target) and ``achieved_occupancy`` 1 (every
  position is busy); with no productive positions at all, ``achieved_occupancy`` raises
  :class:`chatcap.InputError` (it is undefined) where pyworkforce divides by zero.
- **required_positions finds the fewest positions.** pyworkforce starts its search at
  ``round(intensity + 1)``, which skips ``floor(intensity) + 1`` when the load's fraction is at
  least one half, so it may ask for one position more than the target needs. Here the search
  starts at the first stable staffing.
- **A service level target of 0** is met by the first stable staffing (pyworkforce's start);
  a ``max_occupancy`` of 0 raises :class:`chatcap.InputError` (pyworkforce divides by zero).
- **Positions must be whole numbers of at least 0**; pyworkforce's ``range`` fails on a float
  with a ``TypeError``, here it is an :class:`chatcap.InputError` (a ``ValueError``).
- **required_positions also gives ``scaled_positions``**: ``raw_positions / (1 - shrinkage)``
  before it is rounded up, so that the positions of several queues can be added up before
  rounding (pyworkforce's issue #41: rounding each queue first overstates the total).

Every value is chatcap's Erlang C (exact to about 1e-12 at any size, no factorials, no
overflow), so large loads that make pyworkforce slow cost the same as small ones.
"""

from __future__ import annotations

import math
from typing import Any

from chatcap._chatcap import InputError, erlang_c_rows, staff_rows

__all__ = ["ErlangC"]


class ErlangC:
    """Positions needed for a queue of transactions, by Erlang C (pyworkforce's ``ErlangC``).

    Parameters
    ----------
    transactions: float
        Transactions arriving in an interval.
    aht: float
        Average handling time of a transaction, in minutes.
    asa: float
        The target answer time, in minutes (the service level counts answers within it).
    interval: int
        The interval's length, in minutes.
    shrinkage: float, default 0
        The share of time a position is not available, in [0, 1).
    """

    def __init__(
        self, transactions: float, aht: float, asa: float, interval: int, shrinkage: float = 0.0, **kwargs: Any
    ) -> None:
        if transactions <= 0:
            raise ValueError("transactions can't be smaller or equals than 0")
        if aht <= 0:
            raise ValueError("aht can't be smaller or equals than 0")
        if asa <= 0:
            raise ValueError("asa can't be smaller or equals than 0")
        if interval <= 0:
            raise ValueError("interval can't be smaller or equals than 0")
        if shrinkage < 0 or shrinkage >= 1:
            raise ValueError("shrinkage must be between in the interval [0,1)")
        self.n_transactions = transactions
        self.aht = aht
        self.interval = interval
        self.asa = asa
        self.intensity = (self.n_transactions / self.interval) * self.aht
        self.shrinkage = shrinkage

    # chatcap's units: arrivals per hour and seconds.
    def _per_hour(self) -> float:
        return self.n_transactions / self.interval * 60

    def _productive(self, positions: int, scale_positions: bool) -> int:
        if isinstance(positions, bool) or not float(positions).is_integer() or positions < 0:
            raise InputError(f"positions must be a whole number of at least 0, got {positions!r}")
        positions = int(positions)
        return math.floor((1 - self.shrinkage) * positions) if scale_positions else positions

    def _stable(self, n: int) -> dict[str, Any] | None:
        """chatcap's Erlang C at ``n`` positions, or None when they do not exceed the load."""
        if n <= self.intensity:
            return None
        try:
            return erlang_c_rows([self._per_hour()], [self.aht * 60], [n], [self.asa * 60])[0]
        except InputError:  # the load rounds to n: still unstable
            return None

    def waiting_probability(self, positions: int, scale_positions: bool = False) -> float:
        """The probability that a transaction waits (1 when the positions do not exceed the
        load). ``scale_positions``: the positions include shrinkage."""
        m = self._stable(self._productive(positions, scale_positions))
        return 1.0 if m is None else float(m["p_wait"])

    def service_level(self, positions: int, scale_positions: bool = False) -> float:
        """The share of transactions answered within ``asa`` (0 when the positions do not
        exceed the load)."""
        m = self._stable(self._productive(positions, scale_positions))
        return 0.0 if m is None else float(m["service_level"])

    def achieved_occupancy(self, positions: int, scale_positions: bool = False) -> float:
        """The share of time a position is busy (1 when the positions do not exceed the load)."""
        n = self._productive(positions, scale_positions)
        if n == 0:
            raise InputError("no productive positions: their occupancy is undefined")
        return self.intensity / n if n > self.intensity else 1.0

    def required_positions(self, service_level: float, max_occupancy: float = 1.0) -> dict[str, Any]:
        """The fewest positions answering ``service_level`` within ``asa`` with occupancy at
        most ``max_occupancy``: ``raw_positions`` (without shrinkage), ``positions`` (with it,
        rounded up), ``service_level``, ``occupancy`` and ``waiting_probability`` at
        ``raw_positions``, and ``scaled_positions`` (with shrinkage, not rounded)."""
        if service_level < 0 or service_level > 1:
            raise ValueError("service_level must be between 0 and 1")
        if max_occupancy < 0 or max_occupancy > 1:
            raise ValueError("max_occupancy must be between 0 and 1")
        if max_occupancy == 0:
            raise InputError("max_occupancy 0: a position that handles transactions is busy some of the time; give a share above 0")
        # A target of 0 is met by any stable staffing: ask for the smallest positive one.
        s = staff_rows(
            [self._per_hour()],
            [self.aht * 60],
            [self.asa * 60],
            [max(service_level, 1e-300)],
            [None],
            [max_occupancy if max_occupancy < 1 else None],
            [1.0],
            [None],
        )[0]
        raw = int(s["required_agents"])
        return {
            "raw_positions": raw,
            "positions": math.ceil(raw / (1 - self.shrinkage)),
            "service_level": float(s["achieved_sl"]),
            "occupancy": float(s["occupancy"]),
            "waiting_probability": float(s["p_wait"]),
            "scaled_positions": raw / (1 - self.shrinkage),
        }
