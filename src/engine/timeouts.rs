//! The `timeouts` block and Go-style durations ("30m", "1h30m", "90s").

use std::time::Duration;

use crate::tf::schema::{Attribute, Block, NestedBlock};
use crate::tf::{AttributePath, Diagnostics, Value};

use super::plan::TIMEOUTS;
use super::resource::Timeouts;

/// Which operation a timeout is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }

    fn default_in(self, timeouts: &Timeouts) -> Option<Duration> {
        match self {
            Operation::Create => timeouts.create,
            Operation::Update => timeouts.update,
            Operation::Delete => timeouts.delete,
        }
    }
}

const OPERATIONS: [Operation; 3] = [Operation::Create, Operation::Update, Operation::Delete];

/// Without a declared timeout an operation still has a bound, so nothing waits forever.
pub(super) const FALLBACK: Duration = Duration::from_secs(20 * 60);

pub fn block(timeouts: &Timeouts) -> Option<NestedBlock> {
    if timeouts.is_empty() {
        return None;
    }
    let attributes = OPERATIONS
        .iter()
        .filter_map(|op| {
            op.default_in(timeouts).map(|default| {
                Attribute::string(op.name()).optional().describe(&format!(
                    "How long to wait for the {} to finish, as a duration such as `30m` or `1h` \
                     (default `{}`).",
                    op.name(),
                    format_duration(default)
                ))
            })
        })
        .collect();
    Some(NestedBlock::single(TIMEOUTS, Block::new(attributes)))
}

/// How long an operation may wait, with the text the user wrote for it, so that messages say `45m`
/// when the configuration says `45m` (not `2700s`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeLimit {
    pub duration: Duration,
    pub written: String,
}

impl TimeLimit {
    /// A configured duration: `text` must parse.
    pub fn parse(text: &str) -> Result<TimeLimit, String> {
        Ok(TimeLimit {
            duration: parse_duration(text)?,
            written: text.trim().to_string(),
        })
    }

    /// This limit, or `minimum` when that is longer.
    pub fn at_least(&self, minimum: Duration) -> TimeLimit {
        if self.duration >= minimum {
            self.clone()
        } else {
            minimum.into()
        }
    }
}

impl From<Duration> for TimeLimit {
    fn from(duration: Duration) -> Self {
        TimeLimit {
            duration,
            written: format_duration(duration),
        }
    }
}

impl std::fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.written)
    }
}

/// The timeout for `operation` given the resource's state or plan (configured value or default).
pub fn resolve(object: &Value, operation: Operation, timeouts: &Timeouts) -> TimeLimit {
    object
        .get(TIMEOUTS)
        .and_then(|block| block.get(operation.name()))
        .and_then(Value::as_str)
        .and_then(|text| TimeLimit::parse(text).ok())
        .unwrap_or_else(|| operation.default_in(timeouts).unwrap_or(FALLBACK).into())
}

pub fn validate(config: &Value, diags: &mut Diagnostics) {
    let Some(block) = config.get(TIMEOUTS) else {
        return;
    };
    for op in OPERATIONS {
        if let Some(text) = block.get(op.name()).and_then(Value::as_str)
            && let Err(problem) = parse_duration(text)
        {
            diags.attribute_error(
                AttributePath::attribute(TIMEOUTS).attr(op.name()),
                "Invalid duration",
                format!(
                    "{text:?} is not a duration such as \"30s\", \"10m\" or \"1h30m\": {problem}."
                ),
            );
        }
    }
}

/// Parses a sequence of number+unit pairs (units ns, us, ms, s, m, h), like Go's time.ParseDuration.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("it is empty".to_string());
    }
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_len == 0 {
            return Err(format!("expected a number at {rest:?}"));
        }
        let number: f64 = rest[..number_len]
            .parse()
            .map_err(|_| format!("{:?} is not a number", &rest[..number_len]))?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds_per_unit = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "" => return Err("a unit (s, m or h) is missing".to_string()),
            other => return Err(format!("unknown unit {other:?}")),
        };
        total += number * seconds_per_unit;
        rest = &rest[unit_len..];
    }
    Duration::try_from_secs_f64(total).map_err(|e| e.to_string())
}

/// Whole seconds in Go's duration syntax without zero parts: `30m`, `1h30m`, `1m5s`, `0s`.
pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds == 0 {
        return "0s".to_string();
    }
    let (hours, minutes, seconds) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut text = String::new();
    for (amount, unit) in [(hours, 'h'), (minutes, 'm'), (seconds, 's')] {
        if amount > 0 {
            text.push_str(&format!("{amount}{unit}"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5m"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("ten minutes").is_err());
        assert!(parse_duration("5d").is_err());
    }

    #[test]
    fn resolves_configured_then_default() {
        let timeouts = Timeouts {
            create: Some(Duration::from_secs(1800)),
            update: None,
            delete: None,
        };
        let configured =
            Value::object([(TIMEOUTS, Value::object([("create", Value::string("5m"))]))]);
        let limit = resolve(&configured, Operation::Create, &timeouts);
        assert_eq!(limit.duration, Duration::from_secs(300));
        assert_eq!(limit.to_string(), "5m");
        let default = resolve(&Value::Null, Operation::Create, &timeouts);
        assert_eq!(default.duration, Duration::from_secs(1800));
        assert_eq!(default.to_string(), "30m");
        assert_eq!(
            resolve(&Value::Null, Operation::Delete, &timeouts).duration,
            FALLBACK
        );
    }

    #[test]
    fn limits_are_shown_as_written() {
        let written = TimeLimit::parse("2700s").expect("parses");
        assert_eq!(written.duration, Duration::from_secs(2700));
        assert_eq!(written.to_string(), "2700s");
        assert_eq!(
            TimeLimit::parse(" 45m ").expect("parses").to_string(),
            "45m"
        );
        assert_eq!(written.at_least(Duration::from_secs(60)), written);
        assert_eq!(
            written.at_least(Duration::from_secs(3600)).to_string(),
            "1h"
        );
        for (seconds, text) in [(0, "0s"), (90, "1m30s"), (5400, "1h30m"), (3605, "1h5s")] {
            assert_eq!(format_duration(Duration::from_secs(seconds)), text);
        }
    }
}
