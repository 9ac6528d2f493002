"""Types of the native module `chatcap._chatcap` (checked against it by mypy's stubtest in CI)."""

from collections.abc import Sequence
from os import PathLike
from typing import Any, final

__all__ = [
    "ChatcapError",
    "InputError",
    "ChatcapWarning",
    "erlang_c_rows",
    "erlang_a_rows",
    "chat_model_rows",
    "staff_rows",
    "Floor",
    "Study",
    "Report",
    "sweep_task",
    "__version__",
]

__version__: str

class ChatcapError(Exception): ...
class InputError(ChatcapError, ValueError): ...
class ChatcapWarning(UserWarning): ...

def erlang_c_rows(
    arrivals_per_hour: Sequence[float], aht_s: Sequence[float], agents: Sequence[float], target_s: Sequence[float]
) -> list[dict[str, Any]]: ...
def erlang_a_rows(
    arrivals_per_hour: Sequence[float],
    aht_s: Sequence[float],
    agents: Sequence[float],
    target_s: Sequence[float],
    patience_s: Sequence[float],
) -> list[dict[str, Any]]: ...
def chat_model_rows(
    agents: Sequence[float],
    max_chats: Sequence[float],
    aht_by_concurrency: Sequence[Sequence[float]],
    arrivals_per_hour: Sequence[float],
    target_s: Sequence[float],
    patience_s: Sequence[float | None],
) -> list[dict[str, Any]]: ...
def staff_rows(
    arrivals_per_hour: Sequence[float],
    aht_s: Sequence[float],
    target_s: Sequence[float],
    service_level: Sequence[float],
    patience_s: Sequence[float | None],
    max_occupancy: Sequence[float | None],
    max_chats: Sequence[float],
    aht_by_concurrency: Sequence[Sequence[float] | None],
) -> list[dict[str, Any]]: ...

@final
class Floor:
    @staticmethod
    def from_payload(
        data: bytes, queue: bytes | None = None, now: float | None = None, comm100_zero_max_chats: int | str | None = None
    ) -> Floor: ...
    @property
    def warnings(self) -> list[str]: ...
    @property
    def agent_count(self) -> int: ...
    @property
    def skills(self) -> list[str]: ...
    def slots(
        self, skill: str | None = None, max_wait_s: float | None = None, agent: str | None = None, aht_s: float | None = None
    ) -> int | None: ...
    def offer(
        self,
        skill: str,
        max_wait_s: float,
        aht_s: float | None = None,
        max_queue: int | None = None,
        fail_open: bool = False,
    ) -> dict[str, Any]: ...
    def transfer(
        self,
        from_agent: str,
        to_skill: str | None = None,
        to_agent: str | None = None,
        strategy: str = "least-loaded",
        limit: float | None = None,
        explain: bool = False,
        weight: str = "1",
        allow_over_capacity: bool = False,
    ) -> dict[str, Any]: ...
    def sync(self, data: bytes, queue: bytes | None = None, now: float | None = None) -> dict[str, Any]: ...

@final
class Study:
    @staticmethod
    def from_toml(text: str) -> Study: ...
    @staticmethod
    def from_file(path: str | PathLike[str]) -> Study: ...
    def with_settings(self, settings: dict[str, Any]) -> Study: ...
    @property
    def variations(self) -> list[str]: ...
    @property
    def settings(self) -> dict[str, Any]: ...
    @property
    def text(self) -> str: ...
    def simulate(
        self, replications: int = 20, seed: int = 1, threads: int | None = None, variations: list[str] | None = None
    ) -> Report: ...
    @staticmethod
    def _restore(text: str, settings: list[tuple[str, Any]]) -> Study: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class Report:
    def to_dict(self) -> dict[str, Any]: ...
    def to_pandas(self) -> Any: ...
    @property
    def variations(self) -> list[str]: ...
    @staticmethod
    def concat(reports: Sequence[Report]) -> Report: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __len__(self) -> int: ...
    @staticmethod
    def _restore(state: Any) -> Report: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

def sweep_task(study: Study, settings: Sequence[tuple[str, Any]], replications: int, seed: int) -> Report: ...
