//! InvokeAction: the action runs in its own task while its progress messages and, last, its outcome
//! stream back to Terraform.

use std::sync::Arc;

use tonic::codegen::BoxStream;

use crate::engine::{Engine, Progress};
use crate::server::proto::tfplugin6 as pb;
use crate::tf::Diagnostics;

use super::{decode, diagnostics_to_proto};

/// Progress messages Terraform has not read yet; when full, the action waits for Terraform.
const EVENT_BUFFER: usize = 16;

pub(crate) fn invoke_action(
    engine: &Arc<Engine>,
    request: pb::invoke_action::Request,
) -> BoxStream<pb::invoke_action::Event> {
    use pb::invoke_action::event::{Completed, Progress as ProgressEvent, Type};
    let (events, stream) = tokio::sync::mpsc::channel(EVENT_BUFFER);
    let completed = |diags: Diagnostics| pb::invoke_action::Event {
        r#type: Some(Type::Completed(Completed {
            diagnostics: diagnostics_to_proto(diags),
        })),
    };
    let engine = Arc::clone(engine);
    // The action is looked up in the task that runs it: the entry borrows the engine, which the
    // task owns.
    tokio::spawn(async move {
        let found = engine.action(&request.action_type).and_then(|entry| {
            let config = decode(request.config.as_ref(), &entry.ty, "action configuration")?;
            Ok((entry, config))
        });
        let diags = match found {
            Err(diags) => diags,
            Ok((entry, config)) => {
                let (progress, mut messages) = Progress::channel();
                let forward = {
                    let events = events.clone();
                    async move {
                        while let Some(message) = messages.recv().await {
                            let event = pb::invoke_action::Event {
                                r#type: Some(Type::Progress(ProgressEvent { message })),
                            };
                            let _ = events.send(Ok(event)).await;
                        }
                    }
                };
                let run = async {
                    let diags = engine.invoke_action(entry, &config, &progress).await;
                    drop(progress);
                    diags
                };
                let (diags, ()) = tokio::join!(run, forward);
                diags
            }
        };
        let _ = events.send(Ok(completed(diags))).await;
    });
    Box::pin(tokio_stream::wrappers::ReceiverStream::new(stream))
}
