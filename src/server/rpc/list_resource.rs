//! ListResource (`terraform query`): decode the filter, list, and stream one event per object found
//! (or a single event with the diagnostics).

use tonic::codegen::BoxStream;

use crate::engine::Engine;
use crate::server::proto::tfplugin6 as pb;
use crate::tf::Diagnostics;

use super::{decode, diagnostics_to_proto, encode, identity_data};

pub(crate) async fn list_resource(
    engine: &Engine,
    request: pb::list_resource::Request,
) -> BoxStream<pb::list_resource::Event> {
    let events = match list_events(engine, &request).await {
        Ok(events) => events,
        Err(diags) => vec![pb::list_resource::Event {
            diagnostic: diagnostics_to_proto(diags),
            ..Default::default()
        }],
    };
    Box::pin(tokio_stream::iter(events.into_iter().map(Ok)))
}

async fn list_events(
    engine: &Engine,
    request: &pb::list_resource::Request,
) -> Result<Vec<pb::list_resource::Event>, Diagnostics> {
    let entry = engine.resource(&request.type_name)?;
    let list = entry.list_entry()?;
    let filter = decode(request.config.as_ref(), &list.ty, "list configuration")?;
    let limit = usize::try_from(request.limit).unwrap_or(0);
    let listed = engine
        .list_resource(entry, &filter, request.include_resource_object, limit)
        .await?;
    listed
        .into_iter()
        .map(|object| {
            let resource_object = match &object.state {
                Some(state) => Some(encode(state, &entry.ty)?),
                None => None,
            };
            Ok(pb::list_resource::Event {
                identity: identity_data(entry, Some(object.identity)),
                display_name: object.display_name,
                resource_object,
                diagnostic: Vec::new(),
            })
        })
        .collect()
}
