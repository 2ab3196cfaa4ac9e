//! Attribute shapes that recur across Proton resources and data sources, with the API model's constraints.

use crate::tf::schema::{Attribute, Validator};

/// A Proton resource name (ResourceName in the API model).
pub fn resource_name(name: &str) -> Attribute {
    Attribute::string(name)
        .validate(Validator::length(1, 100))
        .validate(Validator::pattern(
            r"[0-9A-Za-z]+[0-9A-Za-z_\-]*",
            "must start with a letter or digit and hold only letters, digits, `_` and `-`",
        ))
}

pub fn display_name() -> Attribute {
    Attribute::string("display_name").validate(Validator::length(1, 100))
}

pub fn description() -> Attribute {
    Attribute::string("description").validate(Validator::length(0, 500))
}

/// A customer managed KMS key ARN.
pub fn encryption_key() -> Attribute {
    Attribute::string("encryption_key")
        .validate(Validator::length(1, 200))
        .validate(Validator::Arn)
}

pub fn arn(what: &str) -> Attribute {
    Attribute::string("arn")
        .computed()
        .use_state_for_unknown()
        .describe(&format!("ARN of the {what}."))
}

pub fn created_at(what: &str) -> Attribute {
    Attribute::string("created_at")
        .computed()
        .use_state_for_unknown()
        .describe(&format!("When the {what} was created (RFC 3339)."))
}

pub fn last_modified_at(what: &str) -> Attribute {
    Attribute::string("last_modified_at")
        .computed()
        .describe(&format!("When the {what} was last modified (RFC 3339)."))
}

/// A template version part (`major_version`, `minor_version`): a decimal number without leading zeros.
pub fn version_part(name: &str) -> Attribute {
    Attribute::string(name)
        .validate(Validator::length(1, 20))
        .validate(Validator::pattern(
            r"0|[1-9][0-9]*",
            "must be a whole number without leading zeros, such as `1` or `0`",
        ))
}

/// Where a linked repository is hosted.
pub fn repository_provider(name: &str) -> Attribute {
    Attribute::string(name).validate(Validator::one_of(&[
        "GITHUB",
        "GITHUB_ENTERPRISE",
        "BITBUCKET",
    ]))
}

/// A repository's `owner/name`.
pub fn repository_name(name: &str) -> Attribute {
    Attribute::string(name)
        .validate(Validator::length(1, 100))
        .validate(Validator::pattern(
            r"[A-Za-z0-9_.-].*/[A-Za-z0-9_.-].*",
            "must be `owner/repository`",
        ))
}

/// A Git branch name.
pub fn branch(name: &str) -> Attribute {
    Attribute::string(name).validate(Validator::length(1, 200))
}
