//! Resource identity: the attributes that name an object (its `ResourceSpec::identity`), plus the
//! `account_id` and `region` it lives in, as hashicorp/aws identities carry them, so that an identity
//! from `terraform query` or an `import` block means one object across accounts and regions.
//!
//! Version 0 identities (written before `account_id` and `region` existed) hold only the naming
//! attributes; [`ResourceEntry::upgrade_identity`] reads them into the current version.

use crate::tf::schema::Attribute;
use crate::tf::{AttributePath, Diagnostic, Diagnostics, Type, Value};

use super::registry::{Engine, ResourceEntry};

/// The identity schema version: 1 added `account_id` and `region`.
pub const IDENTITY_VERSION: i64 = 1;
pub const ACCOUNT_ID: &str = "account_id";
pub const REGION: &str = "region";

/// The account and region an object lives in, when known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    pub account_id: Option<String>,
    pub region: Option<String>,
}

impl Location {
    /// Where an object lives, from its ARN when the ARN names the caller's account. An environment
    /// account connection's ARN names the environment account, also when the management account
    /// reads it, so it says nothing about where the provider works.
    pub fn of_own_arn(arn: &str) -> Option<Location> {
        if arn.contains(":environment-account-connection/") {
            return None;
        }
        Location::of_arn(arn)
    }

    /// The account and region an ARN names (`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`).
    pub fn of_arn(arn: &str) -> Option<Location> {
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(_partition), Some(_service), Some(region), Some(account), Some(_)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let known = |text: &str| (!text.is_empty()).then(|| text.to_string());
        Some(Location {
            account_id: known(account),
            region: known(region),
        })
    }

    /// This location, with `fallback`'s values where this one has none.
    pub fn or(self, fallback: Location) -> Location {
        Location {
            account_id: self.account_id.or(fallback.account_id),
            region: self.region.or(fallback.region),
        }
    }

    fn get(&self, name: &str) -> Option<&str> {
        match name {
            ACCOUNT_ID => self.account_id.as_deref(),
            REGION => self.region.as_deref(),
            _ => None,
        }
    }
}

/// The location an identity names, with nulls where it names none.
pub fn requested_location(identity: &Value) -> Location {
    let text = |name: &str| {
        identity
            .get(name)
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
            .map(str::to_string)
    };
    Location {
        account_id: text(ACCOUNT_ID),
        region: text(REGION),
    }
}

/// Refuses an identity naming another account or region than where the object is (or, at import,
/// where the provider works): the provider only reaches its own account and region, and an object of
/// the same name there is another object.
pub fn check_location(
    type_name: &str,
    requested: &Location,
    actual: &Location,
) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::new();
    for (name, what) in [(ACCOUNT_ID, "account"), (REGION, "region")] {
        let (Some(wanted), Some(here)) = (requested.get(name), actual.get(name)) else {
            continue;
        };
        if wanted != here {
            diags.push(
                Diagnostic::error(
                    format!("Identity names another {what}"),
                    format!(
                        "The identity of this {type_name} has {name} = {wanted:?}, but this provider \
                         configuration works in {what} {here:?}. The provider reaches one account \
                         and region; use a provider configuration for {wanted:?} (an aliased \
                         `provider \"proton\"` block, named by the `provider` argument)."
                    ),
                )
                .at(AttributePath::attribute(name)),
            );
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(())
    }
}

impl ResourceEntry {
    /// `account_id` and `region`, except where the resource's own identity already names one
    /// (`proton_account_settings` is named by its region).
    pub fn location_attributes(&self) -> impl Iterator<Item = &'static str> + '_ {
        [ACCOUNT_ID, REGION]
            .into_iter()
            .filter(|name| !self.spec.identity.contains(name))
    }

    /// The identity schema's attributes: the naming ones required strings, then the optional
    /// location ones.
    pub fn identity_attributes(&self) -> Vec<Attribute> {
        let naming = self.spec.identity.iter().map(|name| {
            let description = self
                .schema
                .block
                .attribute(name)
                .map(|a| a.description.clone())
                .unwrap_or_default();
            Attribute::string(name).required().describe(&description)
        });
        let location = self.location_attributes().map(|name| {
            let description = if name == ACCOUNT_ID {
                "AWS account the object belongs to, as its ARN names it (null for objects with no \
                 ARN of their own, unless an import named it)."
            } else {
                "AWS region the object lives in: the provider's."
            };
            Attribute::string(name).optional().describe(description)
        });
        naming.chain(location).collect()
    }

    pub fn identity_type(&self) -> Type {
        Type::object(
            self.identity_attributes()
                .iter()
                .map(|a| (a.name.as_str(), Type::String)),
        )
    }

    /// The identity of an object in state, when all its naming parts are known; `location` fills
    /// `account_id` and `region` (null where unknown).
    pub fn identity_of(&self, state: &Value, location: &Location) -> Option<Value> {
        let naming: Option<Vec<(&str, Value)>> = self
            .spec
            .identity
            .iter()
            .map(|name| {
                state
                    .get(name)
                    .and_then(Value::as_str)
                    .map(|s| (*name, Value::string(s)))
            })
            .collect();
        let mut parts = naming?;
        for name in self.location_attributes() {
            let value = location.get(name).map(Value::string).unwrap_or(Value::Null);
            parts.push((name, value));
        }
        Some(Value::object(parts))
    }

    /// A stored identity read into the current version: version 0 gains null `account_id` and
    /// `region` (the next read fills them).
    pub fn upgrade_identity(&self, version: i64, raw_json: &[u8]) -> Result<Value, Diagnostics> {
        let type_name = self.spec.type_name;
        let unreadable =
            |detail: String| Diagnostics::from(Diagnostic::error("Unreadable identity", detail));
        if version < 0 {
            return Err(unreadable(format!(
                "The identity of this {type_name} has no identity schema version {version}."
            )));
        }
        if version > IDENTITY_VERSION {
            return Err(Diagnostic::error(
                "Identity from a newer provider",
                format!(
                    "The identity of this {type_name} was written with identity schema version \
                     {version}; this provider knows versions up to {IDENTITY_VERSION}. Upgrade the provider."
                ),
            )
            .into());
        }
        let stored_type = if version == 0 {
            Type::object(self.spec.identity.iter().map(|name| (*name, Type::String)))
        } else {
            self.identity_type()
        };
        let stored = crate::tf::codec::decode_json(raw_json, &stored_type).map_err(|e| {
            unreadable(format!(
                "The stored identity of this {type_name} does not fit identity schema version {version}: {e}"
            ))
        })?;
        let mut fields = match stored {
            Value::Object(fields) => fields,
            _ => {
                return Err(unreadable(format!(
                    "The stored identity of this {type_name} is null."
                )));
            }
        };
        for name in self.location_attributes() {
            fields.entry(name.to_string()).or_insert(Value::Null);
        }
        Ok(Value::Object(fields))
    }
}

/// The location the object's own ARN names, if it has one in the caller's account.
fn own_arn_location(state: &Value) -> Option<Location> {
    state
        .get("arn")
        .and_then(Value::as_str)
        .and_then(Location::of_own_arn)
}

impl Engine {
    /// Where the provider works: its region, and its account once an ARN has shown it.
    pub(super) fn provider_location(&self) -> Location {
        Location {
            account_id: self.account_id.read().ok().and_then(|slot| slot.clone()),
            region: self.configured().ok().and_then(|c| c.api.region()),
        }
    }

    /// Where `state` lives: the account and region of its own ARN (the account is remembered as the
    /// provider's, which identities naming an account are checked against), else where the provider
    /// works.
    pub(super) fn location_of(&self, state: &Value) -> Location {
        let from_arn = own_arn_location(state);
        let provider = self.provider_location();
        let Some(from_arn) = from_arn else {
            return provider;
        };
        if provider.account_id.is_none()
            && let (Some(account), Ok(mut slot)) = (&from_arn.account_id, self.account_id.write())
        {
            *slot = Some(account.clone());
        }
        Location {
            account_id: from_arn.account_id.or(provider.account_id),
            region: from_arn.region.or(provider.region),
        }
    }

    /// The identity of `state`: the account and region of its own ARN. An object without one
    /// (a service instance, a pipeline, sync configs, account settings, a connection, whose ARN
    /// names the environment account) gets the provider's region and no account, unless its `prior`
    /// identity recorded them (an import that named them): the account this provider learned from
    /// other objects would depend on what else it happened to read first.
    pub fn identity(
        &self,
        entry: &ResourceEntry,
        state: &Value,
        prior: Option<&Value>,
    ) -> Option<Value> {
        let location = if own_arn_location(state).is_some() {
            self.location_of(state)
        } else {
            let recorded = prior.map(requested_location).unwrap_or_default();
            Location {
                account_id: recorded.account_id,
                region: recorded.region.or(self.provider_location().region),
            }
        };
        entry.identity_of(state, &location)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_name_their_account_and_region() {
        let location = Location::of_arn(
            "arn:aws:proton:us-west-2:111122223333:service/web/service-instance/a",
        )
        .expect("an ARN");
        assert_eq!(location.account_id.as_deref(), Some("111122223333"));
        assert_eq!(location.region.as_deref(), Some("us-west-2"));
        assert_eq!(Location::of_arn("not-an-arn"), None);
        assert_eq!(Location::of_arn("arn:aws:proton"), None);
        let connection =
            "arn:aws:proton:us-east-1:111122223333:environment-account-connection/0a1b";
        assert!(Location::of_arn(connection).is_some());
        assert_eq!(Location::of_own_arn(connection), None);
    }

    #[test]
    fn only_a_named_and_different_location_is_refused() {
        let here = Location {
            account_id: Some("111122223333".into()),
            region: Some("us-east-1".into()),
        };
        assert!(check_location("proton_x", &Location::default(), &here).is_ok());
        assert!(check_location("proton_x", &here, &Location::default()).is_ok());
        assert!(check_location("proton_x", &here, &here).is_ok());
        let west = Location {
            account_id: None,
            region: Some("us-west-2".into()),
        };
        let diags = check_location("proton_x", &west, &here).expect_err("another region");
        let diag = diags.iter().next().expect("one diagnostic");
        assert_eq!(diag.path, Some(AttributePath::attribute(REGION)));
        assert!(diag.detail.contains("\"us-west-2\"") && diag.detail.contains("\"us-east-1\""));
    }
}
