//! ReadDataSource: the data source's lookup, with the configured arguments kept as written and the
//! provider's `ignore_tags` (and AWS's reserved `aws:` keys) left out of its tags.

use crate::engine::tags;
use crate::engine::timeouts::FALLBACK;
use crate::engine::{DataSourceEntry, Engine};
use crate::tf::{Diagnostics, Value};

use super::{error_diagnostic, known_or_null, set_attribute};

impl Engine {
    pub async fn read_data_source(
        &self,
        entry: &DataSourceEntry,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        let configured = self.configured()?;
        // A data source has no `timeouts` block: it gets the bound every undeclared operation gets.
        let ctx = self.context(&configured, FALLBACK);
        let found = entry
            .data_source
            .read(&ctx, config, &entry.ty)
            .await
            .map_err(|error| {
                Diagnostics::from(error_diagnostic(entry.spec.type_name, "read", &error))
            })?;
        let found = tags::without_ignored(found, &configured.ignore_tags);
        Ok(known_or_null(keep_configured(config, found)))
    }
}

/// A data source's result with the configured arguments as the user wrote them.
fn keep_configured(config: &Value, mut found: Value) -> Value {
    if let Value::Object(fields) = config {
        for (name, value) in fields {
            if !value.is_null() && value.is_wholly_known() {
                set_attribute(&mut found, name, value.clone());
            }
        }
    }
    found
}
