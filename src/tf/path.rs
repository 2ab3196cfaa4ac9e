//! Attribute paths, as Terraform shows them in diagnostics (`source.s3.bucket`, `tags["team"]`).

use std::fmt;

/// One step from a value into one of its parts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathStep {
    Attribute(String),
    Key(String),
    Index(i64),
}

/// A path from the root of a resource's object to one of its values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AttributePath {
    pub steps: Vec<PathStep>,
}

impl AttributePath {
    pub fn root() -> Self {
        Self::default()
    }

    pub fn attribute(name: impl Into<String>) -> Self {
        Self::root().attr(name)
    }

    pub fn attr(&self, name: impl Into<String>) -> Self {
        self.with(PathStep::Attribute(name.into()))
    }

    pub fn key(&self, key: impl Into<String>) -> Self {
        self.with(PathStep::Key(key.into()))
    }

    pub fn index(&self, index: usize) -> Self {
        self.with(PathStep::Index(i64::try_from(index).unwrap_or(i64::MAX)))
    }

    fn with(&self, step: PathStep) -> Self {
        let mut steps = Vec::with_capacity(self.steps.len() + 1);
        steps.extend(self.steps.iter().cloned());
        steps.push(step);
        Self { steps }
    }

    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    /// The attribute name of the first step, if the path starts with one.
    pub fn top_attribute(&self) -> Option<&str> {
        match self.steps.first() {
            Some(PathStep::Attribute(name)) => Some(name),
            _ => None,
        }
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if position == 0 => write!(f, "{name}")?,
                PathStep::Attribute(name) => write!(f, ".{name}")?,
                PathStep::Key(key) => write!(f, "[{key:?}]")?,
                PathStep::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_terraform() {
        let path = AttributePath::attribute("source").attr("s3").attr("bucket");
        assert_eq!(path.to_string(), "source.s3.bucket");
        let path = AttributePath::attribute("tags").key("team");
        assert_eq!(path.to_string(), "tags[\"team\"]");
        let path = AttributePath::attribute("items").index(2).attr("name");
        assert_eq!(path.to_string(), "items[2].name");
    }
}
