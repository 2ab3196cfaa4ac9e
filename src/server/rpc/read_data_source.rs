//! ReadDataSource: decode the configuration, look the object up, encode what was found.

use crate::engine::Engine;
use crate::server::proto::tfplugin6 as pb;
use crate::tf::{Diagnostics, Value};

use super::{decode, encode, provider_deferral};

pub(crate) async fn read_data_source(
    engine: &Engine,
    request: pb::read_data_source::Request,
) -> Result<pb::read_data_source::Response, Diagnostics> {
    let entry = engine.data_source(&request.type_name)?;
    let config = decode(request.config.as_ref(), &entry.ty, "configuration")?;
    if let Some(deferred) = provider_deferral(engine) {
        return Ok(pb::read_data_source::Response {
            state: Some(encode(&Value::Unknown, &entry.ty)?),
            deferred: Some(deferred),
            ..Default::default()
        });
    }
    let state = engine.read_data_source(entry, &config).await?;
    Ok(pb::read_data_source::Response {
        state: Some(encode(&state, &entry.ty)?),
        ..Default::default()
    })
}
