//! Not written yet.

use serde_json::Value;

use super::{Ctx, Input};
use crate::error::ApiError;

pub fn create(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal("create: not implemented yet".into()))
}

pub fn get(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal("get: not implemented yet".into()))
}

pub fn update(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal("update: not implemented yet".into()))
}

pub fn delete(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal("delete: not implemented yet".into()))
}

pub fn list(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal("list: not implemented yet".into()))
}

pub fn create_instance(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "create_instance: not implemented yet".into(),
    ))
}

pub fn get_instance(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "get_instance: not implemented yet".into(),
    ))
}

pub fn update_instance(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "update_instance: not implemented yet".into(),
    ))
}

pub fn list_instances(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "list_instances: not implemented yet".into(),
    ))
}

pub fn cancel_instance(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "cancel_instance: not implemented yet".into(),
    ))
}

pub fn instance_outputs(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "instance_outputs: not implemented yet".into(),
    ))
}

pub fn instance_provisioned(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "instance_provisioned: not implemented yet".into(),
    ))
}

pub fn update_pipeline(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "update_pipeline: not implemented yet".into(),
    ))
}

pub fn cancel_pipeline(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "cancel_pipeline: not implemented yet".into(),
    ))
}

pub fn pipeline_outputs(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "pipeline_outputs: not implemented yet".into(),
    ))
}

pub fn pipeline_provisioned(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "pipeline_provisioned: not implemented yet".into(),
    ))
}
