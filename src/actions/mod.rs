//! Actions for Terraform 1.14+ (`action` blocks, `terraform apply -invoke=...`): one file each, plus a
//! line in [`all`].

use crate::engine::DynAction;

/// Every action this provider offers.
pub fn all() -> Vec<Box<dyn DynAction>> {
    Vec::new()
}
