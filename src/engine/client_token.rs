//! Client tokens of creates. Proton answers a create whose token it saw in the last hours with that
//! first create's result, so a token must repeat for retries of one create (the SDK's retries, or a
//! re-run after the provider died mid-create) and differ between two resources.
//!
//! The plugin protocol names neither the resource's address nor the attempt. The token is a digest
//! of the planned object, which is the same on a re-run; two resources planned identically in one
//! configuration (two `proton_*_template_version` blocks with the same arguments) would share it, so
//! each create planned like an earlier one in the same provider process gets its occurrence number,
//! carried from PlanResourceChange to ApplyResourceChange in the planned private state. Terraform
//! starts a provider process per plan and per apply run and plans every create again in the apply
//! run, so the numbers start at 0 in each: a re-run of the same creates repeats them. Identical creates
//! in two separate configurations (two workspaces) still share a token.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use super::convert::to_json;
use crate::tf::Value;

/// The private state a create carries when it is not the first one planned like it.
#[derive(Serialize, Deserialize)]
struct CreatePrivate {
    create_occurrence: u32,
}

/// How many creates of each planned object this process planned so far.
#[derive(Default)]
pub struct CreateOccurrences(Mutex<HashMap<String, u32>>);

impl CreateOccurrences {
    /// Counts a planned create; answers the private state telling it apart from the identical
    /// creates planned before it in this process, or None for the first (whose token is the digest
    /// alone).
    pub fn note(&self, type_name: &str, planned: &Value) -> Option<Vec<u8>> {
        let key = client_token(type_name, planned, &[]);
        let mut seen = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = seen.entry(key).or_insert(0);
        let occurrence = *count;
        *count += 1;
        (occurrence > 0)
            .then(|| {
                serde_json::to_vec(&CreatePrivate {
                    create_occurrence: occurrence,
                })
                .ok()
            })
            .flatten()
    }
}

/// The token for creating `planned`, with the occurrence number from the planned `private` state.
pub fn client_token(type_name: &str, planned: &Value, private: &[u8]) -> String {
    let mut text = format!("{type_name}\n{}", to_json(planned));
    if let Ok(CreatePrivate { create_occurrence }) = serde_json::from_slice(private) {
        text.push_str(&format!("\n{create_occurrence}"));
    }
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_tokens_are_stable_and_short_enough() {
        let planned = Value::object([("name", Value::string("a"))]);
        let token = client_token("proton_component", &planned, &[]);
        assert_eq!(token, client_token("proton_component", &planned, &[]));
        assert_eq!(token.len(), 64);
        assert_ne!(token, client_token("proton_service", &planned, &[]));
    }

    #[test]
    fn identical_creates_in_one_process_get_distinct_tokens() {
        let planned = Value::object([("source", Value::string("s3://b/k"))]);
        let other = Value::object([("source", Value::string("s3://b/other"))]);
        let occurrences = CreateOccurrences::default();
        let first = occurrences.note("proton_environment_template_version", &planned);
        let second = occurrences.note("proton_environment_template_version", &planned);
        assert_eq!(first, None, "the first keeps the digest alone (as before)");
        assert_eq!(
            occurrences.note("proton_environment_template_version", &other),
            None
        );
        let second = second.expect("the second is numbered");
        let tokens = [
            client_token("proton_environment_template_version", &planned, &[]),
            client_token("proton_environment_template_version", &planned, &second),
        ];
        assert_ne!(tokens[0], tokens[1]);
        // A re-run (a new process) numbers the same creates the same way.
        let rerun = CreateOccurrences::default();
        assert_eq!(
            rerun.note("proton_environment_template_version", &planned),
            None
        );
        assert_eq!(
            rerun.note("proton_environment_template_version", &planned),
            Some(second)
        );
    }
}
