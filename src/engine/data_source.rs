//! Data sources: a spec plus one async read.

use std::future::Future;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::tf::schema::Attribute;
use crate::tf::{Type, Value};

use super::convert::{check_model, model_from_value, value_from_model};
use super::resource::{BoxFuture, ConfigRule, Ctx, Error, catch_panic};

#[derive(Clone, Debug)]
pub struct DataSourceSpec {
    pub type_name: &'static str,
    pub description: &'static str,
    pub attributes: Vec<Attribute>,
    pub rules: Vec<ConfigRule>,
}

pub trait DataSource: Send + Sync + 'static {
    type Model: Serialize + DeserializeOwned + Send + Sync + 'static;

    fn spec(&self) -> DataSourceSpec;

    /// Reads the object the configuration names; not found is an error for a singular data source.
    fn read(
        &self,
        ctx: &Ctx,
        config: Self::Model,
    ) -> impl Future<Output = Result<Self::Model, Error>> + Send;
}

pub trait DynDataSource: Send + Sync {
    fn spec(&self) -> DataSourceSpec;
    fn read<'a>(
        &'a self,
        ctx: &'a Ctx,
        config: &'a Value,
        ty: &'a Type,
    ) -> BoxFuture<'a, Result<Value, Error>>;
    /// Whether the model and `ty` agree: see [`check_model`].
    fn check_model(&self, ty: &Type) -> Result<(), Error>;
}

impl<D: DataSource> DynDataSource for D {
    fn spec(&self) -> DataSourceSpec {
        DataSource::spec(self)
    }

    fn read<'a>(
        &'a self,
        ctx: &'a Ctx,
        config: &'a Value,
        ty: &'a Type,
    ) -> BoxFuture<'a, Result<Value, Error>> {
        Box::pin(async move {
            let model = model_from_value(config, &[])?;
            let state = catch_panic(DataSource::read(self, ctx, model)).await??;
            value_from_model(&state, ty, &[])
        })
    }

    fn check_model(&self, ty: &Type) -> Result<(), Error> {
        check_model::<D::Model>(ty, &[])
    }
}
