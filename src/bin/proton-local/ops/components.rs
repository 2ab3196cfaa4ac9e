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

pub fn cancel(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal("cancel: not implemented yet".into()))
}

pub fn outputs(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal("outputs: not implemented yet".into()))
}

pub fn provisioned(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "provisioned: not implemented yet".into(),
    ))
}
