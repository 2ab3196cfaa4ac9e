//! Provider logs for Terraform.
//!
//! Terraform's plugin client reads the provider's stderr line by line. A line that is a JSON object with
//! `@level`, `@message` and `@timestamp` becomes a structured log entry (other keys become fields) that
//! Terraform filters with `TF_LOG` / `TF_LOG_PROVIDER`. This module installs a `tracing` subscriber that
//! writes exactly that shape, one object per line, each line in a single `write` so concurrent events
//! never interleave.

use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{Layer, Registry};

/// Value of `@module` on every line.
const MODULE: &str = "proton";
/// Our own crate's target prefix; everything else is a dependency.
const OWN_TARGET: &str = "terraform_provider_proton";
/// go-plugin reads stderr with a 64 KiB line buffer and splits longer lines into unparseable pieces.
const MAX_VALUE_BYTES: usize = 16 * 1024;

/// Installs the global subscriber. Calling it again (tests) is harmless.
pub fn init_logging() {
    let level = level_from_env(
        std::env::var("TF_LOG_PROVIDER").ok().as_deref(),
        std::env::var("TF_LOG").ok().as_deref(),
    );
    let filter = targets_for(level);
    let _ = Registry::default()
        .with(JsonLines.with_filter(filter))
        .try_init();
}

/// The level Terraform users asked for: `TF_LOG_PROVIDER` wins over `TF_LOG`. When neither is set Terraform
/// discards provider logs anyway, so only warnings and errors are produced (cheap, and visible when
/// someone runs the binary by hand).
pub fn level_from_env(tf_log_provider: Option<&str>, tf_log: Option<&str>) -> LevelFilter {
    let chosen = [tf_log_provider, tf_log]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|v| !v.is_empty());
    match chosen {
        None => LevelFilter::WARN,
        Some(v) => match v.to_ascii_uppercase().as_str() {
            "TRACE" | "JSON" => LevelFilter::TRACE,
            "DEBUG" => LevelFilter::DEBUG,
            "INFO" => LevelFilter::INFO,
            "WARN" => LevelFilter::WARN,
            "ERROR" => LevelFilter::ERROR,
            "OFF" => LevelFilter::OFF,
            // Terraform treats an unrecognised value as TRACE; do the same so both sides agree.
            _ => LevelFilter::TRACE,
        },
    }
}

/// Our code logs at the requested level. Dependencies are capped: the AWS SDK at DEBUG (its request
/// summaries are useful, its TRACE output includes signing details), the transport stack (h2, hyper,
/// tonic, rustls) at INFO because its TRACE output is per-frame noise that would slow every RPC.
fn targets_for(level: LevelFilter) -> Targets {
    let capped = |cap: LevelFilter| std::cmp::min(level, cap);
    Targets::new()
        .with_default(capped(LevelFilter::DEBUG))
        .with_target(OWN_TARGET, level)
        .with_target("aws_sigv4", capped(LevelFilter::INFO))
        .with_target("h2", capped(LevelFilter::INFO))
        .with_target("hyper", capped(LevelFilter::INFO))
        .with_target("hyper_util", capped(LevelFilter::INFO))
        .with_target("tonic", capped(LevelFilter::INFO))
        .with_target("tower", capped(LevelFilter::INFO))
        .with_target("rustls", capped(LevelFilter::INFO))
        .with_target("tokio_rustls", capped(LevelFilter::INFO))
}

/// The layer that writes one JSON object per event.
struct JsonLines;

/// Fields recorded on a span, kept in the span's extensions and copied into every event inside it.
struct SpanFields(Vec<(String, Value)>);

impl<S> Layer<S> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut visitor = FieldCollector::default();
        attrs.record(&mut visitor);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(visitor.fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let mut visitor = FieldCollector::default();
        values.record(&mut visitor);
        if let Some(span) = ctx.span(id) {
            let mut ext = span.extensions_mut();
            match ext.get_mut::<SpanFields>() {
                Some(existing) => existing.0.extend(visitor.fields),
                None => ext.insert(SpanFields(visitor.fields)),
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut span_fields = Vec::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(fields) = span.extensions().get::<SpanFields>() {
                    span_fields.extend(fields.0.iter().cloned());
                }
            }
        }
        let mut visitor = FieldCollector::default();
        event.record(&mut visitor);
        let line = format_line(
            *event.metadata().level(),
            visitor.message.as_deref().unwrap_or(""),
            SystemTime::now(),
            span_fields.into_iter().chain(visitor.fields),
        );
        // One write per line keeps concurrent events from interleaving. A closed stderr is not our
        // problem to report (there is nowhere left to report it).
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

/// Builds one log line (with its trailing newline). Later fields with the same key replace earlier
/// ones, so an event's own field wins over a span's.
pub fn format_line(
    level: Level,
    message: &str,
    at: SystemTime,
    fields: impl IntoIterator<Item = (String, Value)>,
) -> String {
    let mut obj = Map::new();
    obj.insert("@level".into(), Value::String(level_name(level).into()));
    obj.insert(
        "@message".into(),
        Value::String(truncate(message.to_owned())),
    );
    obj.insert("@module".into(), Value::String(MODULE.into()));
    obj.insert("@timestamp".into(), Value::String(format_timestamp(at)));
    for (key, value) in fields {
        // The reserved keys belong to the envelope; a field must not overwrite them.
        let key = if key.starts_with('@') {
            format!("field{key}")
        } else {
            key
        };
        obj.insert(key, value);
    }
    let mut line = Value::Object(obj).to_string();
    line.push('\n');
    line
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// `2026-11-27T09:00:00.000000Z`: the exact layout go-plugin parses (microseconds, `Z`).
pub fn format_timestamp(at: SystemTime) -> String {
    // Times before 1970 do not occur on a working clock; clamp rather than fail.
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let micros = since.subsec_micros();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Proleptic Gregorian date for a count of days since 1970-01-01. Works in 400-year eras (146097 days)
/// with years starting on 1 March, so the leap day is the last day of a year.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468; // days from 0000-03-01 to 1970-01-01
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097); // 0..=146096
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365; // 0..=399
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100); // 0..=365
    let month_index = (5 * day_of_year + 2) / 153; // 0 = March .. 11 = February
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn truncate(mut s: String) -> String {
    if s.len() > MAX_VALUE_BYTES {
        let mut cut = MAX_VALUE_BYTES;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...(truncated)");
    }
    s
}

/// Collects an event's or span's fields as JSON values. Strings and anything only printable goes
/// through its formatting (never a raw structure dump), numbers and booleans stay typed.
#[derive(Default)]
struct FieldCollector {
    message: Option<String>,
    fields: Vec<(String, Value)>,
}

/// How secrets look inside the debug output of the AWS SDK's types (its `Credentials` print the access
/// key ID; header maps print tokens and signatures), up to the quote that ends the value.
const SECRET_PREFIXES: &[&str] = &[
    "access_key_id: \"",
    "secret_access_key: \"",
    "session_token: \"",
    "\"x-amz-security-token\": \"",
    "\"authorization\": \"",
];
const REDACTED: &str = "** redacted **";

/// Blanks the values of [`SECRET_PREFIXES`] in a log value. Dependencies log whole request contexts
/// at DEBUG; no log level may show a credential.
pub fn redact_secrets(text: &mut String) {
    for prefix in SECRET_PREFIXES {
        let mut from = 0;
        while let Some(found) = text[from..].find(prefix) {
            let start = from + found + prefix.len();
            // No closing quote: the value was cut short (long values are truncated); blank the rest.
            let length = text[start..].find('"').unwrap_or(text.len() - start);
            if &text[start..start + length] != REDACTED {
                text.replace_range(start..start + length, REDACTED);
            }
            from = start + REDACTED.len().min(text.len() - start);
        }
    }
}

impl FieldCollector {
    fn push(&mut self, field: &Field, value: Value) {
        let value = match value {
            Value::String(mut text) => {
                redact_secrets(&mut text);
                Value::String(text)
            }
            other => other,
        };
        if field.name() == "message" {
            self.message = Some(match value {
                Value::String(s) => s,
                other => other.to_string(),
            });
        } else {
            self.fields.push((field.name().to_owned(), value));
        }
    }
}

impl Visit for FieldCollector {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        self.push(field, Value::String(truncate(text)));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.push(field, Value::String(truncate(value.to_owned())));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        // Include the causes: "outer: inner: root".
        let mut text = value.to_string();
        let mut source = value.source();
        while let Some(cause) = source {
            let _ = write!(text, ": {cause}");
            source = cause.source();
        }
        self.push(field, Value::String(truncate(text)));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.push(field, Value::Bool(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.push(field, Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.push(field, Value::from(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        // NaN and infinities have no JSON form; keep them readable as text.
        let json = serde_json::Number::from_f64(value)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(value.to_string()));
        self.push(field, json);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Days since the epoch counted the slow way, to check the closed-form conversion.
    fn days_slow(year: i64, month: u32, day: u32) -> i64 {
        let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let mut days = 0i64;
        if year >= 1970 {
            for y in 1970..year {
                days += if leap(y) { 366 } else { 365 };
            }
        } else {
            for y in year..1970 {
                days -= if leap(y) { 366 } else { 365 };
            }
        }
        let lengths = [
            31,
            if leap(year) { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        days += lengths[..month as usize - 1].iter().sum::<i64>();
        days + i64::from(day) - 1
    }

    #[test]
    fn civil_dates_match_slow_count() {
        for (y, m, d) in [
            (1970, 1, 1),
            (1969, 12, 31),
            (2000, 2, 29),
            (2000, 3, 1),
            (2100, 2, 28),
            (2100, 3, 1),
            (2024, 12, 31),
            (2026, 11, 27),
            (1600, 1, 1),
            (2400, 2, 29),
        ] {
            assert_eq!(
                civil_from_days(days_slow(y, m, d)),
                (y, m, d),
                "{y}-{m}-{d}"
            );
        }
        // Every day across several leap cycles, both directions.
        let mut prev = civil_from_days(-800);
        for n in -799..20_000 {
            let cur = civil_from_days(n);
            assert_eq!(days_slow(cur.0, cur.1, cur.2), n);
            assert!(cur > prev);
            prev = cur;
        }
    }

    #[test]
    fn timestamp_layout_is_what_go_plugin_parses() {
        let at = UNIX_EPOCH + Duration::from_micros(1_795_770_000_123_456);
        assert_eq!(format_timestamp(at), "2026-11-27T09:00:00.123456Z");
        assert_eq!(format_timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
    }

    #[test]
    fn line_has_envelope_then_fields() {
        let line = format_line(
            Level::DEBUG,
            "planned",
            UNIX_EPOCH,
            [
                ("tf_rpc".to_owned(), Value::from("PlanResourceChange")),
                ("@level".to_owned(), Value::from("sneaky")),
                ("count".to_owned(), Value::from(3)),
            ],
        );
        assert!(line.ends_with('\n'));
        assert_eq!(line.matches('\n').count(), 1);
        let parsed: Value = serde_json::from_str(line.trim_end()).unwrap_or(Value::Null);
        assert_eq!(parsed["@level"], "debug");
        assert_eq!(parsed["@message"], "planned");
        assert_eq!(parsed["@module"], "proton");
        assert_eq!(parsed["@timestamp"], "1970-01-01T00:00:00.000000Z");
        assert_eq!(parsed["tf_rpc"], "PlanResourceChange");
        assert_eq!(parsed["field@level"], "sneaky");
        assert_eq!(parsed["count"], 3);
    }

    #[test]
    fn multi_line_messages_stay_on_one_line() {
        let line = format_line(Level::ERROR, "a\nb", UNIX_EPOCH, []);
        assert_eq!(line.matches('\n').count(), 1);
    }

    #[test]
    fn long_values_are_cut_on_a_char_boundary() {
        let long = "é".repeat(MAX_VALUE_BYTES);
        let cut = truncate(long);
        assert!(cut.len() < MAX_VALUE_BYTES + 20);
        assert!(cut.ends_with("...(truncated)"));
    }

    #[test]
    fn env_level_choice() {
        assert_eq!(level_from_env(None, None), LevelFilter::WARN);
        assert_eq!(level_from_env(None, Some("debug")), LevelFilter::DEBUG);
        assert_eq!(
            level_from_env(Some("TRACE"), Some("ERROR")),
            LevelFilter::TRACE
        );
        assert_eq!(level_from_env(Some(""), Some("INFO")), LevelFilter::INFO);
        assert_eq!(level_from_env(None, Some("JSON")), LevelFilter::TRACE);
        assert_eq!(level_from_env(Some("off"), Some("TRACE")), LevelFilter::OFF);
        assert_eq!(level_from_env(None, Some("chatty")), LevelFilter::TRACE);
    }

    #[test]
    fn credentials_in_debug_output_are_redacted() {
        let mut text = r#"Identity { data: Credentials { provider_name: "Env", access_key_id: "AKIAEXAMPLE", secret_access_key: "** redacted **" } } headers: {"x-amz-security-token": "tok", "authorization": "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/x"} again access_key_id: "SECOND""#.to_string();
        redact_secrets(&mut text);
        for secret in ["AKIAEXAMPLE", "tok\"", "SECOND"] {
            assert!(!text.contains(secret), "{secret} left in {text}");
        }
        assert_eq!(text.matches(REDACTED).count(), 5, "{text}");
        let mut unterminated = "access_key_id: \"AKIA".to_string();
        redact_secrets(&mut unterminated);
        assert_eq!(unterminated, format!("access_key_id: \"{REDACTED}"));
        let mut plain = "nothing secret here".to_string();
        redact_secrets(&mut plain);
        assert_eq!(plain, "nothing secret here");
    }

    #[test]
    fn dependencies_are_capped() {
        let t = targets_for(LevelFilter::TRACE);
        assert!(t.would_enable("terraform_provider_proton::engine", &Level::TRACE));
        assert!(!t.would_enable("h2::codec", &Level::DEBUG));
        assert!(t.would_enable("h2::codec", &Level::INFO));
        assert!(t.would_enable("aws_smithy_runtime", &Level::DEBUG));
        assert!(!t.would_enable("aws_smithy_runtime", &Level::TRACE));
        let quiet = targets_for(LevelFilter::WARN);
        assert!(!quiet.would_enable("terraform_provider_proton", &Level::INFO));
        assert!(quiet.would_enable("aws_config", &Level::WARN));
    }
}
