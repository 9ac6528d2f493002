"""Independent references for the tests: textbook formulas in exact rational arithmetic
(Erlang B by its recurrence, Erlang C from it) and a truncated birth-death chain for Erlang A,
written from the definitions and sharing nothing with chatcap's code."""

from __future__ import annotations

import math
from fractions import Fraction


def erlang_b(n: int, a: Fraction) -> Fraction:
    """B(n, a) by the recurrence B(k) = a B(k-1) / (k + a B(k-1)), B(0) = 1, exactly."""
    b = Fraction(1)
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(arrivals_per_hour: float, aht_s: float, n: int, target_s: float) -> dict[str, float]:
    """Erlang C from its definitions: C = n B / (n - a (1 - B)); ASA = C aht / (n - a);
    SL(t) = 1 - C exp(-(n - a) t / aht); Lq = C a / (n - a)."""
    a = Fraction(arrivals_per_hour) * Fraction(aht_s) / 3600
    b = erlang_b(n, a)
    c = n * b / (n - a * (1 - b))
    return {
        "erlang_b": float(b),
        "p_wait": float(c),
        "asa_s": float(c * Fraction(aht_s) / (n - a)),
        "service_level": 1 - float(c) * math.exp(-float(n - a) * target_s / aht_s),
        "occupancy": float(a / n),
        "mean_queue_len": float(c * a / (n - a)),
    }


def erlang_a_chain(arrivals_per_hour: float, aht_s: float, n: int, patience_s: float) -> dict[str, float]:
    """M/M/n+M from its stationary distribution over the number in system, truncated where the
    terms vanish: P(wait) = P(k >= n) (arrivals see time averages), E[Lq] = sum (k - n)+ p_k,
    P(abandon) = theta E[Lq] / lambda (abandonments balance the queue's patience)."""
    lam, mu, theta = arrivals_per_hour / 3600, 1 / aht_s, 1 / patience_s
    weights = [1.0]
    k = 0
    while True:
        k += 1
        death = min(k, n) * mu + max(k - n, 0) * theta
        weights.append(weights[-1] * lam / death)
        if k > n and weights[-1] < 1e-18 * max(weights):
            break
    total = math.fsum(weights)
    p = [w / total for w in weights]
    lq = math.fsum(max(i - n, 0) * pi for i, pi in enumerate(p))
    return {
        "p_wait": math.fsum(p[n:]),
        "p_abandon": theta * lq / lam,
        "mean_queue_len": lq,
        "occupancy": math.fsum(min(i, n) * pi for i, pi in enumerate(p)) / n,
    }
