//! Spec parsing (YAML).
