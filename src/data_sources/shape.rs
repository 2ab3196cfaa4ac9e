//! What the data sources share: computed attribute shapes and the errors a lookup ends with when
//! nothing matches. Deployment fields are [`crate::shared::deployment`]'s, as the resources'.

use crate::aws::ApiError;
use crate::engine::Error;
use crate::tf::schema::{Attribute, Nesting, Validator};

/// A string the provider sets.
pub fn computed(name: &str, description: &str) -> Attribute {
    Attribute::string(name).computed().describe(description)
}

pub fn number(name: &str, description: &str) -> Attribute {
    Attribute::number(name).computed().describe(description)
}

pub fn strings(name: &str, description: &str) -> Attribute {
    Attribute::string_list(name)
        .computed()
        .describe(description)
}

/// A list of objects the provider sets.
pub fn list(name: &str, description: &str, attributes: Vec<Attribute>) -> Attribute {
    Attribute::nested(name, Nesting::List, attributes)
        .computed()
        .describe(description)
}

/// One object the provider sets (null when there is none).
pub fn object(name: &str, description: &str, attributes: Vec<Attribute>) -> Attribute {
    Attribute::nested(name, Nesting::Single, attributes)
        .computed()
        .describe(description)
}

pub fn tags(what: &str) -> Attribute {
    Attribute::string_map("tags").computed().describe(&format!(
        "Tags on the {what}, without the keys the provider's `ignore_tags` names and those \
             starting with `aws:` (reserved by AWS)."
    ))
}

pub fn arn(what: &str) -> Attribute {
    computed("arn", &format!("ARN of the {what}."))
}

pub fn created_at(what: &str) -> Attribute {
    computed(
        "created_at",
        &format!("When the {what} was created (RFC 3339)."),
    )
}

pub fn last_modified_at(what: &str) -> Attribute {
    computed(
        "last_modified_at",
        &format!("When the {what} was last modified (RFC 3339)."),
    )
}

/// A required argument naming a Proton object (ResourceName constraints).
pub fn name_argument(name: &str, description: &str) -> Attribute {
    crate::shared::attributes::resource_name(name)
        .required()
        .describe(description)
}

/// An optional argument naming a Proton object, used to narrow a listing.
pub fn name_filter(name: &str, description: &str) -> Attribute {
    crate::shared::attributes::resource_name(name)
        .optional()
        .describe(description)
}

/// A deployment or connection ID (a lowercase UUID).
pub fn uuid(name: &str) -> Attribute {
    Attribute::string(name).validate(Validator::pattern(
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "must be a lowercase UUID",
    ))
}

/// `attributes` with each of `arguments` in place of the computed attribute of the same name (or
/// in front when there is none): a singular data source's key over its listing's item shape.
pub fn keyed(arguments: Vec<Attribute>, attributes: Vec<Attribute>) -> Vec<Attribute> {
    let mut out: Vec<Attribute> = Vec::with_capacity(attributes.len() + arguments.len());
    let mut extra = Vec::new();
    for argument in arguments {
        match attributes.iter().position(|a| a.name == argument.name) {
            Some(_) => extra.push(argument),
            None => out.push(argument),
        }
    }
    for attribute in attributes {
        match extra.iter().position(|a| a.name == attribute.name) {
            Some(at) => out.push(extra.remove(at)),
            None => out.push(attribute),
        }
    }
    out
}

/// Text Proton reports, with its empty strings (cleared descriptions, messages) as null.
pub fn text(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_string)
}

/// The error of a data source that found nothing: `what` says what was looked for
/// (`environment named "web"`).
pub fn missing(what: String) -> Error {
    Error::Invalid(format!("found no {what}"))
}

/// An API answer where not found means the object the arguments name does not exist.
pub fn or_missing<T>(
    result: Result<T, ApiError>,
    what: impl FnOnce() -> String,
) -> Result<T, Error> {
    result.map_err(|error| match error {
        ApiError::NotFound(message) if message.is_empty() => missing(what()),
        ApiError::NotFound(message) => Error::Invalid(format!("found no {} ({message})", what())),
        other => other.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_replace_item_attributes_in_place() {
        let item = vec![
            computed("arn", "a"),
            computed("name", "n"),
            computed("x", "x"),
        ];
        let keyed = keyed(
            vec![
                name_argument("service_name", "s"),
                name_argument("name", "n"),
            ],
            item,
        );
        let names: Vec<&str> = keyed.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["service_name", "arn", "name", "x"]);
        assert!(!keyed[2].presence.is_computed());
    }

    #[test]
    fn not_found_names_what_was_looked_for() {
        let error = or_missing::<()>(Err(ApiError::NotFound(String::new())), || {
            "environment named \"e\"".into()
        })
        .err()
        .map(|e| e.to_string());
        assert_eq!(error.as_deref(), Some("found no environment named \"e\""));
        let other = or_missing::<()>(Err(ApiError::Conflict("busy".into())), String::new);
        assert!(matches!(other, Err(Error::Api(ApiError::Conflict(_)))));
    }
}
