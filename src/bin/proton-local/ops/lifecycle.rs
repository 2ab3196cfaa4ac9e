//! Time-driven transitions. Nothing runs in the background: before each
//! request the state is brought up to "now" by applying every transition whose
//! deadline has passed, in a fixed order. Deadlines are wall-clock times kept
//! in the state, so after a restart work resumes where its clock says.

use crate::clock::Epoch;
use crate::store::{Partition, State};

pub fn advance(state: &mut State, now: Epoch) {
    for p in state.partitions.values_mut() {
        super::templates::advance_registrations(p, now);
        expire(p, now);
    }
}

fn expire(p: &mut Partition, now: Epoch) {
    p.tokens.retain(|_, t| t.expires_at > now);
    p.tombstones.retain(|_, t| t.expires_at > now);
}
