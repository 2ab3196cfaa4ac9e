//! Template bundles. (Stub until the bundle intake lands: only the rendering
//! and repository pieces live here for now.)

pub mod render;
pub mod repository;
