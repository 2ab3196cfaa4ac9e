//! Actions (Terraform 1.14+): operations a configuration can invoke that are not resources, such as
//! cancelling a deployment. A spec plus one async call that reports progress as it goes.

use std::future::Future;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;

use crate::tf::schema::Attribute;
use crate::tf::{Type, Value};

use super::convert::{check_model, model_from_value};
use super::resource::{BoxFuture, ConfigRule, Ctx, Error, catch_panic};

#[derive(Clone, Debug)]
pub struct ActionSpec {
    pub type_name: &'static str,
    pub description: &'static str,
    pub attributes: Vec<Attribute>,
    pub rules: Vec<ConfigRule>,
}

/// Where an action reports progress; Terraform shows each message as it arrives.
#[derive(Clone)]
pub struct Progress {
    sender: mpsc::UnboundedSender<String>,
}

impl Progress {
    pub fn channel() -> (Self, mpsc::UnboundedReceiver<String>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        (Self { sender }, receiver)
    }

    pub fn report(&self, message: impl Into<String>) {
        // Nobody listening any more (Terraform went away) is not the action's problem.
        let _ = self.sender.send(message.into());
    }
}

pub trait Action: Send + Sync + 'static {
    type Model: Serialize + DeserializeOwned + Send + Sync + 'static;

    fn spec(&self) -> ActionSpec;

    fn invoke(
        &self,
        ctx: &Ctx,
        config: Self::Model,
        progress: &Progress,
    ) -> impl Future<Output = Result<(), Error>> + Send;
}

pub trait DynAction: Send + Sync {
    fn spec(&self) -> ActionSpec;
    fn invoke<'a>(
        &'a self,
        ctx: &'a Ctx,
        config: &'a Value,
        progress: &'a Progress,
    ) -> BoxFuture<'a, Result<(), Error>>;
    /// Whether the model and `ty` agree: see [`check_model`].
    fn check_model(&self, ty: &Type) -> Result<(), Error>;
}

impl<A: Action> DynAction for A {
    fn spec(&self) -> ActionSpec {
        Action::spec(self)
    }

    fn invoke<'a>(
        &'a self,
        ctx: &'a Ctx,
        config: &'a Value,
        progress: &'a Progress,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let model = model_from_value(config, &[])?;
            catch_panic(Action::invoke(self, ctx, model, progress)).await?
        })
    }

    fn check_model(&self, ty: &Type) -> Result<(), Error> {
        check_model::<A::Model>(ty, &[])
    }
}
