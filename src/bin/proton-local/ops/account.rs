//! Not written yet.

use serde_json::Value;

use super::{Ctx, Input};
use crate::error::ApiError;

pub fn get_settings(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "get_settings: not implemented yet".into(),
    ))
}

pub fn update_settings(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "update_settings: not implemented yet".into(),
    ))
}

pub fn resources_summary(_ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Err(ApiError::Internal(
        "resources_summary: not implemented yet".into(),
    ))
}
