//! Proton's adjustable quotas, per account and Region, at the User Guide's defaults
//! (docs/proton-contract.md, Quotas; the General Reference lists larger adjustable values).
//! `--quota NAME=N` changes one for the whole process, as a quota increase would.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::error::ApiError;

/// One quota: its `--quota` name, default, and the words of its error message.
pub struct Quota {
    pub name: &'static str,
    pub default: usize,
    pub what: &'static str,
}

/// Every quota proton-local enforces. Environment and service templates share one.
pub const QUOTAS: &[Quota] = &[
    Quota {
        name: "templates",
        default: 100,
        what: "environment and service templates",
    },
    Quota {
        name: "template-versions",
        default: 500,
        what: "versions of a template",
    },
    Quota {
        name: "environments",
        default: 100,
        what: "environments",
    },
    Quota {
        name: "services",
        default: 1000,
        what: "services",
    },
    Quota {
        name: "service-instances",
        default: 20,
        what: "service instances per service",
    },
    Quota {
        name: "components",
        default: 100,
        what: "components",
    },
    Quota {
        name: "environment-account-connections",
        default: 5,
        what: "environment account connections of an environment account",
    },
    // Not a documented quota (docs silent): a generous bound all the same.
    Quota {
        name: "repositories",
        default: 1000,
        what: "repositories",
    },
];

static OVERRIDES: OnceLock<BTreeMap<String, usize>> = OnceLock::new();

/// Names and defaults, for `--help` and errors.
pub fn names() -> String {
    QUOTAS
        .iter()
        .map(|q| format!("{}={}", q.name, q.default))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks a `--quota NAME=N` value; answers the pair.
pub fn parse(value: &str) -> Result<(String, usize), String> {
    let (name, n) = value
        .split_once('=')
        .ok_or_else(|| "expected NAME=N".to_string())?;
    if !QUOTAS.iter().any(|q| q.name == name) {
        return Err(format!("unknown quota {name:?}; known: {}", names()));
    }
    let n = n
        .parse::<usize>()
        .map_err(|_| format!("expected a whole number for {name}"))?;
    Ok((name.to_string(), n))
}

/// Installs the command line's overrides (once, at startup).
pub fn install(overrides: BTreeMap<String, usize>) {
    // A second call (there is none outside tests) keeps the first values.
    let _ = OVERRIDES.set(overrides);
}

/// The limit of quota `name`: the `--quota` value or the default.
pub fn limit(name: &str) -> usize {
    OVERRIDES
        .get()
        .and_then(|o| o.get(name).copied())
        .or_else(|| QUOTAS.iter().find(|q| q.name == name).map(|q| q.default))
        .unwrap_or(usize::MAX)
}

/// ServiceQuotaExceededException once `count` existing items reach quota `name`.
pub fn check(count: usize, name: &str) -> Result<(), ApiError> {
    let limit = limit(name);
    if count >= limit {
        let what = QUOTAS
            .iter()
            .find(|q| q.name == name)
            .map_or(name, |q| q.what);
        return Err(ApiError::QuotaExceeded(format!(
            "The quota of {limit} {what} is reached."
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_quotas_only() {
        assert_eq!(parse("templates=3"), Ok(("templates".to_string(), 3)));
        assert!(parse("templates").is_err());
        assert!(parse("widgets=3").is_err());
        assert!(parse("templates=-1").is_err());
    }

    #[test]
    fn defaults_follow_the_user_guide() {
        assert_eq!(limit("templates"), 100);
        assert_eq!(limit("template-versions"), 500);
        assert_eq!(limit("environments"), 100);
        assert_eq!(limit("service-instances"), 20);
        assert_eq!(limit("environment-account-connections"), 5);
        assert!(matches!(
            check(100, "templates"),
            Err(ApiError::QuotaExceeded(m)) if m.contains("environment and service templates")
        ));
        assert!(check(99, "templates").is_ok());
    }
}
