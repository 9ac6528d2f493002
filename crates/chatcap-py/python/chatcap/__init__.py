"""chatcap: routing and capacity answers for live-chat contact centers.

Queueing models and staffing (:func:`erlang_c`, :func:`erlang_a`, :func:`chat_model`,
:func:`staff`), vectorized over sequences and numpy arrays; the live floor a chat bot asks
(:class:`Floor`); simulated what-if studies (:class:`Study`, :class:`Report`) and sweeps of
them on local threads, any ``concurrent.futures`` executor or Dask (:func:`sweep`).

Every computation runs in Rust with the interpreter released. Errors are :class:`ChatcapError`;
bad arguments, payloads and scenario files are :class:`InputError`, also a ``ValueError``, with
the messages of the ``chatcap`` command line. Caveats come as :class:`ChatcapWarning`.
"""

from chatcap._chatcap import (
    ChatcapError,
    ChatcapWarning,
    Floor,
    InputError,
    Report,
    Study,
    __version__,
)
from chatcap._models import chat_model, erlang_a, erlang_c, staff
from chatcap._sweep import sweep

__all__ = [
    "ChatcapError",
    "ChatcapWarning",
    "Floor",
    "InputError",
    "Report",
    "Study",
    "__version__",
    "chat_model",
    "erlang_a",
    "erlang_c",
    "staff",
    "sweep",
]
