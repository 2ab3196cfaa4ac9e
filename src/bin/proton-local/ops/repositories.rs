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

pub fn delete(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal("delete: not implemented yet".into()))
}

pub fn list(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal("list: not implemented yet".into()))
}

pub fn sync_status(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "sync_status: not implemented yet".into(),
    ))
}

pub fn sync_definitions(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "sync_definitions: not implemented yet".into(),
    ))
}

pub fn create_template_sync(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "create_template_sync: not implemented yet".into(),
    ))
}

pub fn get_template_sync(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "get_template_sync: not implemented yet".into(),
    ))
}

pub fn update_template_sync(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "update_template_sync: not implemented yet".into(),
    ))
}

pub fn delete_template_sync(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "delete_template_sync: not implemented yet".into(),
    ))
}

pub fn template_sync_status(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "template_sync_status: not implemented yet".into(),
    ))
}

pub fn create_service_sync(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "create_service_sync: not implemented yet".into(),
    ))
}

pub fn get_service_sync(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "get_service_sync: not implemented yet".into(),
    ))
}

pub fn update_service_sync(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "update_service_sync: not implemented yet".into(),
    ))
}

pub fn delete_service_sync(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "delete_service_sync: not implemented yet".into(),
    ))
}

pub fn instance_sync_status(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "instance_sync_status: not implemented yet".into(),
    ))
}

pub fn blocker_summary(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "blocker_summary: not implemented yet".into(),
    ))
}

pub fn update_blocker(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "update_blocker: not implemented yet".into(),
    ))
}
