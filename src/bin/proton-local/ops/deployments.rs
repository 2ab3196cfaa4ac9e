//! Not written yet.

use serde_json::Value;

use super::{Ctx, Input};
use crate::error::ApiError;

pub fn get(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal("get: not implemented yet".into()))
}

pub fn list(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal("list: not implemented yet".into()))
}

pub fn delete(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal("delete: not implemented yet".into()))
}

pub fn notify(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal("notify: not implemented yet".into()))
}
