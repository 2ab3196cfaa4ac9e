//! StopProvider: Terraform asks in-flight work to end (the user pressed Ctrl-C).

use tokio::sync::watch;

/// A cloneable signal that is raised once, when Terraform calls StopProvider.
#[derive(Clone, Debug)]
pub struct StopSignal {
    sender: std::sync::Arc<watch::Sender<bool>>,
}

impl Default for StopSignal {
    fn default() -> Self {
        let (sender, _) = watch::channel(false);
        Self {
            sender: std::sync::Arc::new(sender),
        }
    }
}

impl StopSignal {
    pub fn raise(&self) {
        self.sender.send_replace(true);
    }

    pub fn is_raised(&self) -> bool {
        *self.sender.borrow()
    }

    /// Completes when the signal is raised (at once if it already is).
    pub async fn raised(&self) {
        let mut receiver = self.sender.subscribe();
        // An error means the sender is gone, which cannot happen while `self` holds it.
        let _ = receiver.wait_for(|raised| *raised).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn raised_wakes_waiters() {
        let stop = StopSignal::default();
        let waiter = {
            let stop = stop.clone();
            tokio::spawn(async move { stop.raised().await })
        };
        assert!(!stop.is_raised());
        stop.raise();
        // Only bounds a hang: waking takes microseconds.
        const WAKE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);
        tokio::time::timeout(WAKE_DEADLINE, waiter)
            .await
            .expect("waiter woke")
            .expect("waiter finished");
        assert!(stop.is_raised());
        stop.raised().await;
    }
}
