//! The tfplugin6 Provider service: the tonic trait, each RPC delegated to its file in `server::rpc`,
//! which converts between protobuf messages and the engine. No Terraform rules live here, only
//! encoding.

use std::collections::HashMap;
use std::sync::Arc;

use tonic::codegen::BoxStream;
use tonic::{Request, Response};

use crate::engine::Engine;

use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_server::Provider;
use super::rpc::{self, Reply};

pub use super::rpc::attribute_description;

/// The gRPC face of the engine. Schemas are converted once, at start-up.
pub struct ProviderService {
    engine: Arc<Engine>,
    schema: pb::get_provider_schema::Response,
    identity_schemas: HashMap<String, pb::ResourceIdentitySchema>,
}

impl ProviderService {
    pub fn new(engine: Arc<Engine>) -> Self {
        Self {
            schema: rpc::provider_schema(&engine),
            identity_schemas: rpc::identity_schemas(&engine),
            engine,
        }
    }
}

#[tonic::async_trait]
impl Provider for ProviderService {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Reply<pb::get_metadata::Response> {
        Ok(Response::new(rpc::get_metadata(&self.engine)))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Reply<pb::get_provider_schema::Response> {
        Ok(Response::new(self.schema.clone()))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Reply<pb::get_resource_identity_schemas::Response> {
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: self.identity_schemas.clone(),
            diagnostics: Vec::new(),
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Reply<pb::validate_provider_config::Response> {
        Ok(Response::new(rpc::validate_provider_config(
            &self.engine,
            request.into_inner(),
        )))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Reply<pb::validate_resource_config::Response> {
        Ok(Response::new(rpc::validate_resource_config(
            &self.engine,
            request.into_inner(),
        )))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Reply<pb::validate_data_resource_config::Response> {
        Ok(Response::new(rpc::validate_data_resource_config(
            &self.engine,
            request.into_inner(),
        )))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Reply<pb::upgrade_resource_state::Response> {
        rpc::reply(rpc::upgrade_resource_state(
            &self.engine,
            request.into_inner(),
        ))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Reply<pb::upgrade_resource_identity::Response> {
        rpc::reply(rpc::upgrade_resource_identity(
            &self.engine,
            request.into_inner(),
        ))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Reply<pb::configure_provider::Response> {
        Ok(Response::new(
            rpc::configure_provider(&self.engine, request.into_inner()).await,
        ))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Reply<pb::read_resource::Response> {
        Ok(Response::new(
            rpc::read_resource(&self.engine, request.into_inner()).await,
        ))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Reply<pb::plan_resource_change::Response> {
        rpc::reply(rpc::plan_resource_change(&self.engine, request.into_inner()).await)
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Reply<pb::apply_resource_change::Response> {
        Ok(Response::new(
            rpc::apply_resource_change(&self.engine, request.into_inner()).await,
        ))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Reply<pb::import_resource_state::Response> {
        rpc::reply(rpc::import_resource_state(
            &self.engine,
            request.into_inner(),
        ))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Reply<pb::read_data_source::Response> {
        rpc::reply(rpc::read_data_source(&self.engine, request.into_inner()).await)
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> Reply<pb::validate_list_resource_config::Response> {
        Ok(Response::new(rpc::validate_list_resource_config(
            &self.engine,
            request.into_inner(),
        )))
    }

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> Reply<BoxStream<pb::list_resource::Event>> {
        Ok(Response::new(
            rpc::list_resource(&self.engine, request.into_inner()).await,
        ))
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Reply<pb::move_resource_state::Response> {
        rpc::reply(rpc::move_resource_state(&self.engine, request.into_inner()))
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> Reply<pb::generate_resource_config::Response> {
        rpc::reply(rpc::generate_resource_config(
            &self.engine,
            request.into_inner(),
        ))
    }

    async fn validate_action_config(
        &self,
        request: Request<pb::validate_action_config::Request>,
    ) -> Reply<pb::validate_action_config::Response> {
        Ok(Response::new(rpc::validate_action_config(
            &self.engine,
            request.into_inner(),
        )))
    }

    async fn plan_action(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> Reply<pb::plan_action::Response> {
        Ok(Response::new(rpc::plan_action(
            &self.engine,
            request.into_inner(),
        )))
    }

    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> Reply<BoxStream<pb::invoke_action::Event>> {
        Ok(Response::new(rpc::invoke_action(
            &self.engine,
            request.into_inner(),
        )))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Reply<pb::stop_provider::Response> {
        tracing::info!("StopProvider: ending in-flight waits");
        self.engine.stop();
        Ok(Response::new(pb::stop_provider::Response::default()))
    }
}
