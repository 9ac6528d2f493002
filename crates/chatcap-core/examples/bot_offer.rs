//! A chat bot's loop: build the floor from a snapshot, keep it current with events, and ask
//! whether to offer a human chat, logging the reason either way.
//!
//! Run with `cargo run -p chatcap-core --example bot_offer`.
#![allow(clippy::disallowed_macros)] // an example prints what it decides

use std::time::Duration;

use chatcap_core::{
    Agent, AgentId, AgentState, Capacity, Event, Floor, MaxWait, ModelError, OfferPolicy, QueuedVisitor,
    Skill, SkillId, Snapshot, Stance, Timestamp, VisitorId, Weight,
};

fn main() -> Result<(), ModelError> {
    let t0 = Timestamp::from_millis(1_700_000_000_000);
    let sales = SkillId::from("sales");
    let billing = SkillId::from("billing");

    // The floor as the adapter would read it from the vendor.
    let mut floor = Floor::new(Snapshot {
        taken_at: t0,
        skills: vec![Skill::new("sales").with_name("Sales"), Skill::new("billing").with_name("Billing")],
        agents: vec![
            Agent::new("ann", AgentState::Online, Capacity::Limited(3))
                .with_active_chats(2)
                .with_skills([sales.clone(), billing.clone()]),
            Agent::new("bob", AgentState::Online, Capacity::Limited(2))
                .with_active_chats(2)
                .with_skills([billing.clone()]),
            Agent::new("cid", AgentState::Away, Capacity::Limited(4)).with_skills([sales.clone()]),
        ],
        queue: vec![QueuedVisitor::new(VisitorId(1), "billing", t0.saturating_sub(Duration::from_secs(40)))],
    })?;

    let policy = OfferPolicy::new(MaxWait::from_secs(120)?)
        .with_max_queue(10)
        .with_handle_time(Duration::from_secs(420))
        .with_missing_data(Stance::FailClosed);

    let ask = |floor: &Floor, skill: &SkillId| {
        let decision = floor.offer(skill, &policy);
        println!(
            "  {skill:<8} slots {:<3} queued {:<2} -> {decision}",
            floor.slots(skill),
            floor.queue_len(skill)
        );
    };

    println!("at the snapshot:");
    ask(&floor, &sales);
    ask(&floor, &billing);

    // Ann takes a sales chat; two more billing visitors arrive.
    let ann = AgentId::from("ann");
    let t1 = t0.saturating_add(Duration::from_secs(5));
    floor.apply(t1, Event::ChatStarted { agent: &ann, weight: Weight::ONE })?;
    floor.apply(t1, Event::VisitorQueued { visitor: VisitorId(2), skill: &billing, priority: 0 })?;
    floor.apply(t1, Event::VisitorQueued { visitor: VisitorId(3), skill: &billing, priority: 0 })?;
    println!("after ann takes a chat and two billing visitors queue:");
    ask(&floor, &sales);
    ask(&floor, &billing);

    // Cid comes back from a break.
    let t2 = t1.saturating_add(Duration::from_secs(30));
    floor.apply(t2, Event::StateChanged { agent: &AgentId::from("cid"), state: AgentState::Online })?;
    println!("after cid comes back online:");
    ask(&floor, &sales);
    ask(&floor, &billing);
    Ok(())
}
