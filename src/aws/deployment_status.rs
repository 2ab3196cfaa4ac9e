//! What Proton's status enums mean to someone waiting: still working, succeeded or failed.
//!
//! Typed over the SDK's enums, so a status the SDK does not know (a variant added later) is never
//! mistaken for success: it counts as still working and the wait ends at its timeout.

use aws_sdk_proton::types::{DeploymentStatus, EnvironmentAccountConnectionStatus, ServiceStatus};

/// Where a piece of asynchronous work stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Working,
    Succeeded,
    Failed,
}

/// A deployment started by a create or an update. Cancellation (by anyone) and a delete that started
/// meanwhile are failures of the deployment being waited for.
pub fn deployment(status: &DeploymentStatus) -> Phase {
    match status {
        DeploymentStatus::InProgress => Phase::Working,
        DeploymentStatus::Succeeded => Phase::Succeeded,
        DeploymentStatus::Failed
        | DeploymentStatus::Cancelling
        | DeploymentStatus::Cancelled
        | DeploymentStatus::DeleteInProgress
        | DeploymentStatus::DeleteFailed
        | DeploymentStatus::DeleteComplete => Phase::Failed,
        _ => Phase::Working,
    }
}

/// A deployment that was asked to stop: it is over when it is no longer running. CANCELLED is what was
/// asked for; any other end (it finished first) is reported as it is.
pub fn cancellation(status: &DeploymentStatus) -> Phase {
    match status {
        DeploymentStatus::InProgress | DeploymentStatus::Cancelling => Phase::Working,
        DeploymentStatus::Cancelled => Phase::Succeeded,
        DeploymentStatus::Succeeded
        | DeploymentStatus::Failed
        | DeploymentStatus::DeleteInProgress
        | DeploymentStatus::DeleteFailed
        | DeploymentStatus::DeleteComplete => Phase::Failed,
        _ => Phase::Working,
    }
}

/// How a deployment that was asked to stop ended: Proton documents CANCELLED, FAILED (the
/// cancellation failed) and SUCCEEDED (the deployment finished before the cancellation started).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CancelEnding {
    Cancelled,
    FinishedFirst,
    /// FAILED, or another end (a delete started meanwhile): the status.
    Failed(String),
}

/// `None` while the deployment still runs.
pub fn cancel_ending(status: &DeploymentStatus) -> Option<CancelEnding> {
    match cancellation(status) {
        Phase::Working => None,
        Phase::Succeeded => Some(CancelEnding::Cancelled),
        Phase::Failed if *status == DeploymentStatus::Succeeded => {
            Some(CancelEnding::FinishedFirst)
        }
        Phase::Failed => Some(CancelEnding::Failed(status.as_str().to_string())),
    }
}

/// Whether a deployment is running, so an update now would be refused.
pub fn is_running(status: &DeploymentStatus) -> bool {
    matches!(
        status,
        DeploymentStatus::InProgress | DeploymentStatus::Cancelling
    )
}

/// A delete of a deployed object (environment, component). The object disappearing is success too;
/// callers see that as "not found".
pub fn deletion(status: &DeploymentStatus) -> Phase {
    match status {
        DeploymentStatus::DeleteComplete => Phase::Succeeded,
        DeploymentStatus::DeleteFailed => Phase::Failed,
        _ => Phase::Working,
    }
}

/// A service being created or updated (the ServiceCreated / ServiceUpdated waiters' states, plus a
/// delete that started meanwhile).
pub fn service(status: &ServiceStatus) -> Phase {
    match status {
        ServiceStatus::Active => Phase::Succeeded,
        ServiceStatus::CreateInProgress
        | ServiceStatus::CreateFailedCleanupInProgress
        | ServiceStatus::UpdateInProgress
        | ServiceStatus::UpdateFailedCleanupInProgress => Phase::Working,
        ServiceStatus::CreateFailed
        | ServiceStatus::CreateFailedCleanupComplete
        | ServiceStatus::CreateFailedCleanupFailed
        | ServiceStatus::UpdateFailed
        | ServiceStatus::UpdateFailedCleanupComplete
        | ServiceStatus::UpdateFailedCleanupFailed
        | ServiceStatus::UpdateCompleteCleanupFailed
        | ServiceStatus::DeleteInProgress
        | ServiceStatus::DeleteFailed => Phase::Failed,
        _ => Phase::Working,
    }
}

/// Whether a service is busy, so an update now would be refused.
pub fn service_is_busy(status: &ServiceStatus) -> bool {
    matches!(
        status,
        ServiceStatus::CreateInProgress
            | ServiceStatus::CreateFailedCleanupInProgress
            | ServiceStatus::UpdateInProgress
            | ServiceStatus::UpdateFailedCleanupInProgress
            | ServiceStatus::DeleteInProgress
    )
}

/// A service being deleted; success is the service disappearing.
pub fn service_deletion(status: &ServiceStatus) -> Phase {
    match status {
        ServiceStatus::DeleteFailed => Phase::Failed,
        _ => Phase::Working,
    }
}

/// A connection request waiting for the management account.
pub fn connection(status: &EnvironmentAccountConnectionStatus) -> Phase {
    match status {
        EnvironmentAccountConnectionStatus::Pending => Phase::Working,
        EnvironmentAccountConnectionStatus::Connected => Phase::Succeeded,
        EnvironmentAccountConnectionStatus::Rejected => Phase::Failed,
        _ => Phase::Working,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployments_fail_when_cancelled_or_deleted() {
        assert_eq!(deployment(&DeploymentStatus::InProgress), Phase::Working);
        assert_eq!(deployment(&DeploymentStatus::Succeeded), Phase::Succeeded);
        for failed in [
            DeploymentStatus::Failed,
            DeploymentStatus::Cancelling,
            DeploymentStatus::Cancelled,
            DeploymentStatus::DeleteInProgress,
            DeploymentStatus::DeleteFailed,
        ] {
            assert_eq!(deployment(&failed), Phase::Failed, "{failed:?}");
        }
        // A status this SDK does not know is never success.
        assert_eq!(
            deployment(&DeploymentStatus::from("QUEUED_SOMEWHERE")),
            Phase::Working
        );
    }

    #[test]
    fn cancellation_ends_when_the_deployment_stops() {
        assert_eq!(cancellation(&DeploymentStatus::Cancelling), Phase::Working);
        assert_eq!(cancellation(&DeploymentStatus::Cancelled), Phase::Succeeded);
        assert_eq!(cancellation(&DeploymentStatus::Succeeded), Phase::Failed);
        assert!(is_running(&DeploymentStatus::Cancelling));
        assert_eq!(cancel_ending(&DeploymentStatus::Cancelling), None);
        assert_eq!(
            cancel_ending(&DeploymentStatus::Cancelled),
            Some(CancelEnding::Cancelled)
        );
        assert_eq!(
            cancel_ending(&DeploymentStatus::Succeeded),
            Some(CancelEnding::FinishedFirst)
        );
        assert_eq!(
            cancel_ending(&DeploymentStatus::Failed),
            Some(CancelEnding::Failed("FAILED".into()))
        );
        assert!(!is_running(&DeploymentStatus::Failed));
    }

    #[test]
    fn deletes_fail_only_on_delete_failed() {
        assert_eq!(
            deletion(&DeploymentStatus::DeleteInProgress),
            Phase::Working
        );
        assert_eq!(deletion(&DeploymentStatus::DeleteFailed), Phase::Failed);
        assert_eq!(
            deletion(&DeploymentStatus::DeleteComplete),
            Phase::Succeeded
        );
        assert_eq!(
            service_deletion(&ServiceStatus::DeleteInProgress),
            Phase::Working
        );
        assert_eq!(
            service_deletion(&ServiceStatus::DeleteFailed),
            Phase::Failed
        );
    }

    #[test]
    fn services_follow_the_sdk_waiters_states() {
        assert_eq!(service(&ServiceStatus::Active), Phase::Succeeded);
        for working in [
            ServiceStatus::CreateInProgress,
            ServiceStatus::UpdateInProgress,
            ServiceStatus::CreateFailedCleanupInProgress,
            ServiceStatus::UpdateFailedCleanupInProgress,
        ] {
            assert_eq!(service(&working), Phase::Working, "{working:?}");
            assert!(service_is_busy(&working));
        }
        for failed in [
            ServiceStatus::CreateFailed,
            ServiceStatus::CreateFailedCleanupComplete,
            ServiceStatus::CreateFailedCleanupFailed,
            ServiceStatus::UpdateFailed,
            ServiceStatus::UpdateFailedCleanupComplete,
            ServiceStatus::UpdateFailedCleanupFailed,
            ServiceStatus::UpdateCompleteCleanupFailed,
        ] {
            assert_eq!(service(&failed), Phase::Failed, "{failed:?}");
            assert!(!service_is_busy(&failed));
        }
    }

    #[test]
    fn connections_wait_while_pending() {
        assert_eq!(
            connection(&EnvironmentAccountConnectionStatus::Pending),
            Phase::Working
        );
        assert_eq!(
            connection(&EnvironmentAccountConnectionStatus::Connected),
            Phase::Succeeded
        );
        assert_eq!(
            connection(&EnvironmentAccountConnectionStatus::Rejected),
            Phase::Failed
        );
    }
}
