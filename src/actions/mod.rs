//! Actions for Terraform 1.14+ (`action` blocks, `terraform apply -invoke=...`): one file each, plus a
//! line in [`all`].

mod cancel_deployment;
mod notify_deployment;
mod resolve_sync_blocker;

use crate::engine::DynAction;

pub use cancel_deployment::CancelDeployment;
pub use notify_deployment::NotifyDeploymentStatusChange;
pub use resolve_sync_blocker::ResolveServiceSyncBlocker;

/// Every action this provider offers.
pub fn all() -> Vec<Box<dyn DynAction>> {
    vec![
        Box::new(CancelDeployment),
        Box::new(NotifyDeploymentStatusChange),
        Box::new(ResolveServiceSyncBlocker),
    ]
}
