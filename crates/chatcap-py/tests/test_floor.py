"""chatcap.Floor: vendor payloads in, a bot's answers out, checked by hand-worked arithmetic on
small payloads and on the repository's recorded fixtures."""

from __future__ import annotations

import json
import pathlib

import pytest

import chatcap

TESTDATA = pathlib.Path(__file__).resolve().parents[3] / "testdata"


def lp_agents(*agents: dict) -> bytes:
    """A LivePerson availableAgents payload (JSON) of the given agents."""
    return json.dumps({"availableAgents": {"agents": {"agent": list(agents)}}}).encode()


def agent(id: str, state: str, max_chats: int, chats: int, skills: list[str]) -> dict:
    return {
        "@id": id,
        "@chatState": state,
        "@maxChats": str(max_chats),
        "userName": f"user{id}",
        "skills": {"skill": skills},
        "chats": str(chats),
        "elapsedTimeInState": "1000",
    }


def queue(sizes: dict[str, int]) -> bytes:
    return json.dumps(
        {"skills": {s: {"currentAvailableSlots": 0, "currentQueueSize": n} for s, n in sizes.items()}}
    ).encode()


FLOOR = lp_agents(
    agent("1", "2", 3, 1, ["sales"]),  # online, 2 free
    agent("2", "2", 2, 2, ["sales", "billing"]),  # online, full
    agent("3", "3", 4, 0, ["sales"]),  # occupied: transfers only
    agent("4", "4", 3, 0, ["billing"]),  # away
    agent("5", "2", -1, 4, ["vip"]),  # online, unlimited
)


def test_slots_by_skill_agent_and_floor():
    floor = chatcap.Floor.from_payload(FLOOR, now=1_700_000_000)
    assert floor.agent_count == 5
    assert floor.slots(skill="sales") == 2
    assert floor.slots(skill="billing") == 0
    assert floor.slots(skill="vip") is None  # unlimited
    assert floor.slots() is None
    assert floor.slots(agent="user1") == 2
    assert floor.slots(agent="3") == 0  # occupied: no new chats
    with pytest.warns(chatcap.ChatcapWarning, match="not on the floor"):
        assert floor.slots(skill="nobody") == 0


def test_slots_within_a_wait_budget():
    # Sales: free 2, releasable 1 + 2 = 3 (agents 1 and 2 hold 3 chats of their limits), 4 queued.
    # Within 300 s at AHT 600 s: floor(2 + 3 (1 - e^-0.5)) - 4 = floor(3.180) - 4 -> 0 (never < 0);
    # within 3600 s: floor(2 + 3 (1 - e^-6)) - 4 = 0; with 1 queued: floor(4.99) - 1 = 3.
    busy = chatcap.Floor.from_payload(FLOOR, queue=queue({"sales": 4}), now=0)
    assert busy.slots(skill="sales", max_wait_s=300, aht_s=600) == 0
    light = chatcap.Floor.from_payload(FLOOR, queue=queue({"sales": 1}), now=0)
    assert light.slots(skill="sales", max_wait_s=3600, aht_s=600) == 3
    assert light.slots(skill="sales", max_wait_s=0) == 1  # free 2 less 1 queued
    with pytest.raises(chatcap.InputError, match="agent cannot be combined with skill or max_wait_s"):
        light.slots(skill="sales", agent="user1")
    with pytest.raises(chatcap.InputError, match="max_wait_s 1.5: expected a whole number of seconds"):
        light.slots(skill="sales", max_wait_s=1.5)


def test_the_offer_decision_and_its_reason():
    # Billing: agent 2 holds 2 of 2, 3 visitors queued; 3 ahead of a newcomer and 2 slots freeing
    # at 1/240 s each: (3 + 1) / (2 / 240) = 480 s.
    floor = chatcap.Floor.from_payload(FLOOR, queue=queue({"billing": 3}), now=0)
    d = floor.offer("billing", max_wait_s=120, aht_s=240)
    assert (d["decision"], d["reason"]) == ("decline", "wait_too_long")
    assert d["estimate"]["wait_s"] == pytest.approx(480)
    assert d["message"] == "declined: estimated wait 480 s > 120 s limit"
    ok = floor.offer("billing", max_wait_s=600, aht_s=240)
    assert (ok["decision"], ok["reason"]) == ("offer", "wait_within_budget")
    assert ok["estimate"]["method"] == "queue_position" and ok["estimate"]["ahead"] == 3
    assert floor.offer("sales", max_wait_s=60)["reason"] == "agent_free_now"
    assert floor.offer("billing", max_wait_s=60)["reason"] == "no_handle_time"
    assert floor.offer("billing", max_wait_s=60, fail_open=True)["decision"] == "offer"
    # A skill the floor does not define is an error, not a decision.
    with pytest.raises(chatcap.InputError, match="skill unknown is not defined on the floor"):
        floor.offer("unknown", max_wait_s=60)


def test_transfer_candidates_ranked_with_every_exclusion():
    floor = chatcap.Floor.from_payload(FLOOR, now=0)
    # From agent 1 to sales: agent 3 (occupied, 0 of 4) is the only one with room; 2 is full.
    t = floor.transfer("1", to_skill="sales", explain=True)
    assert [c["agent_id"] for c in t["candidates"]] == ["3"]
    assert t["candidates"][0] == {"agent_id": "3", "free_slots": 4, "active_chats": 0}
    reasons = {e["agent_id"]: e["reason"] for e in t["excluded"]}
    # Agent 4 is away (its state is what rules it out first), agent 5 lacks the skill.
    assert reasons == {"1": "is_current_owner", "2": "at_capacity", "4": "away", "5": "missing_skill"}
    assert floor.transfer("1", to_skill="sales")["excluded"] == []
    assert floor.transfer("2", to_agent="5")["candidates"][0]["free_slots"] == -1  # unlimited
    with pytest.raises(chatcap.InputError, match='strategy "fastest": unknown ranking'):
        floor.transfer("1", to_skill="sales", strategy="fastest")
    with pytest.raises(chatcap.InputError, match="to_skill nope: no agent on the floor has this skill"):
        floor.transfer("1", to_skill="nope")


def test_the_quirky_liveperson_fixture_as_the_readme_shows_it():
    # testdata/liveperson/quirks/agents.json, skill 1: ann (online, 4 allowed, 1 chat) and bob
    # (online, 3 allowed, chats left out: 0) have it, dee too but occupied: 3 + 3 = 6.
    floor = chatcap.Floor.from_payload((TESTDATA / "liveperson/quirks/agents.json").read_bytes(), now=0)
    assert floor.slots(skill="1") == 6
    assert any("chats" in w for w in floor.warnings)  # bob's missing chats were assumed 0
    both = chatcap.Floor.from_payload(
        (TESTDATA / "liveperson/quirks/agents.json").read_bytes(),
        queue=(TESTDATA / "liveperson/quirks/queuestate_v2.json").read_bytes(),
        now=0,
    )
    assert both.slots(skill="2", max_wait_s=600, aht_s=300) == 4  # the README's answer


def test_comm100_is_recognised_from_its_content():
    floor = chatcap.Floor.from_payload((TESTDATA / "comm100/004_realtime_agents_page1.json").read_bytes(), now=0)
    page = json.loads((TESTDATA / "comm100/004_realtime_agents_page1.json").read_text())
    agents = page.get("agents") or page.get("list") or page
    assert floor.agent_count == len(agents if isinstance(agents, list) else agents["data"])


def test_sync_follows_the_recorded_polls():
    poll = lambda n, what: (TESTDATA / f"liveperson/sync/poll_{n}_{what}.json").read_bytes()  # noqa: E731
    t0 = 1_717_236_000
    floor = chatcap.Floor.from_payload(poll(1, "available_agents"), queue=poll(1, "queuestate"), now=t0)
    assert floor.sync(poll(2, "available_agents"), queue=poll(2, "queuestate"), now=t0 + 10)["joined"] == []
    r3 = floor.sync(poll(3, "available_agents"), queue=poll(3, "queuestate"), now=t0 + 20)
    assert r3["joined"] == ["27114513"]  # Fay's new account
    assert "27110313" in r3["state_changed"] and "27110313" in r3["chats_changed"]  # Cid: Away, chat closed
    assert len(r3["visitors_arrived"]) == 2  # billing's queue from 1 to 3
    r4 = floor.sync(poll(4, "available_agents"), queue=poll(4, "queuestate"), now=t0 + 30)
    assert r4["left"] == ["27110613"]  # Gus's account is gone
    assert "27110213" in r4["capacity_changed"]  # Bob's limit from 2 to 4
    # Poll 4's online agents: ann 3 - 2, bob 4 - 4, cid 4 - 0, dee 3 - 3, fay 3 - 0 (eve is offline).
    assert floor.slots() == 1 + 0 + 4 + 0 + 3
    with pytest.raises(chatcap.InputError):
        floor.sync(b'{"availableAgents": {"agents": {"agent": [{"@id": "1", "@maxChats": "x"}]}}}')
    assert floor.slots() == 8  # a payload that does not read changes nothing


def test_bad_payloads_are_input_errors_naming_the_place():
    with pytest.raises(chatcap.InputError, match="payload"):
        chatcap.Floor.from_payload(b"{not json")
    with pytest.raises(chatcap.InputError, match="maxChats"):
        chatcap.Floor.from_payload((TESTDATA / "liveperson/quirks/bad_max_chats.json").read_bytes())
