//! The state of an environment or service template, which the `proton_*_template` resource and data
//! sources share, driven by the kind (see [`crate::aws::templates`](crate::aws::TemplateKind)).

use serde::{Deserialize, Serialize};

use crate::aws::types::{EnvironmentTemplateSummary, ServiceTemplateSummary};
use crate::aws::{Template, TemplateKind, timestamp};

/// Who provisions what, under each kind's own attribute name. The field must be there (null or not:
/// `deserialize_with` makes a missing one an error), so serde picks the kind the value has.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Provisioning {
    /// `provisioning`: an environment template's environments.
    Environment {
        #[serde(deserialize_with = "Option::deserialize")]
        provisioning: Option<String>,
    },
    /// `pipeline_provisioning`: a service template's pipelines.
    Service {
        #[serde(deserialize_with = "Option::deserialize")]
        pipeline_provisioning: Option<String>,
    },
}

impl Provisioning {
    pub fn new(kind: TemplateKind, value: Option<String>) -> Self {
        match kind {
            TemplateKind::Environment => Provisioning::Environment {
                provisioning: value,
            },
            TemplateKind::Service => Provisioning::Service {
                pipeline_provisioning: value,
            },
        }
    }

    /// The attribute's name for `kind`.
    pub fn attribute(kind: TemplateKind) -> &'static str {
        match kind {
            TemplateKind::Environment => "provisioning",
            TemplateKind::Service => "pipeline_provisioning",
        }
    }

    pub fn value(&self) -> Option<&str> {
        match self {
            Provisioning::Environment { provisioning } => provisioning.as_deref(),
            Provisioning::Service {
                pipeline_provisioning,
            } => pipeline_provisioning.as_deref(),
        }
    }
}

/// What a listing reports of a template, whichever its kind.
#[derive(Debug, Serialize, Deserialize)]
pub struct Listed {
    pub name: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    #[serde(flatten)]
    pub provisioning: Provisioning,
    pub arn: Option<String>,
    pub created_at: Option<String>,
    pub last_modified_at: Option<String>,
    pub recommended_version: Option<String>,
}

/// Optional text, with Proton's "" for none as null.
fn text(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_string)
}

/// The listings' summaries of both kinds: their getters share names.
macro_rules! listed_from {
    ($ty:ty, $variant:ident, $provisioning:ident) => {
        impl From<&$ty> for Listed {
            fn from(t: &$ty) -> Self {
                Self {
                    name: t.name().to_string(),
                    display_name: text(t.display_name()),
                    description: text(t.description()),
                    provisioning: Provisioning::$variant {
                        $provisioning: t.$provisioning().map(|p| p.as_str().to_string()),
                    },
                    arn: Some(t.arn().to_string()),
                    created_at: Some(timestamp(t.created_at())),
                    last_modified_at: Some(timestamp(t.last_modified_at())),
                    recommended_version: text(t.recommended_version()),
                }
            }
        }
    };
}

listed_from!(EnvironmentTemplateSummary, Environment, provisioning);
listed_from!(ServiceTemplateSummary, Service, pipeline_provisioning);

/// A template resource's state, whichever its kind: what a listing reports and the key.
#[derive(Debug, Serialize, Deserialize)]
pub struct Model {
    #[serde(flatten)]
    pub listed: Listed,
    pub encryption_key: Option<String>,
}

impl Model {
    /// A template known by name only (as a listing without details gives it).
    pub fn named(kind: TemplateKind, name: String) -> Self {
        Self {
            listed: Listed {
                name,
                display_name: None,
                description: None,
                provisioning: Provisioning::new(kind, None),
                arn: None,
                created_at: None,
                last_modified_at: None,
                recommended_version: None,
            },
            encryption_key: None,
        }
    }

    pub fn from_api(kind: TemplateKind, template: Template) -> Self {
        Self {
            listed: Listed {
                name: template.name,
                display_name: template.display_name,
                // Proton stores a cleared description as "": null in Terraform.
                description: template.description.filter(|d| !d.is_empty()),
                provisioning: Provisioning::new(kind, template.provisioning),
                arn: Some(template.arn),
                created_at: Some(timestamp(&template.created_at)),
                last_modified_at: Some(timestamp(&template.last_modified_at)),
                recommended_version: template.recommended_version,
            },
            encryption_key: template.encryption_key,
        }
    }
}
