//! `proton_environment_template_version(s)` and `proton_service_template_version(s)`: one version of
//! a template (by default the recommended one), or every version of a template.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aws::types::{EnvironmentTemplateVersionSummary, ServiceTemplateVersionSummary};
use crate::aws::{TemplateVersion as ApiVersion, VersionId, timestamp};
use crate::engine::{Ctx, DataSource, DataSourceSpec, Error};
use crate::shared::attributes::version_part;
use crate::tf::schema::Attribute;

use super::shape::{self, computed, missing, or_missing, text};
use super::templates::Kind;

/// One version as a listing describes it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Item {
    pub template_name: String,
    pub major_version: Option<String>,
    pub minor_version: Option<String>,
    pub status: Option<String>,
    pub status_message: Option<String>,
    pub description: Option<String>,
    pub recommended_minor_version: Option<String>,
    pub arn: Option<String>,
    pub created_at: Option<String>,
    pub last_modified_at: Option<String>,
}

macro_rules! item_from {
    ($($ty:ty),*) => {$(
        impl From<&$ty> for Item {
            fn from(v: &$ty) -> Self {
                Self {
                    template_name: v.template_name().to_string(),
                    major_version: Some(v.major_version().to_string()),
                    minor_version: Some(v.minor_version().to_string()),
                    status: Some(v.status().as_str().to_string()),
                    status_message: text(v.status_message()),
                    description: text(v.description()),
                    recommended_minor_version: text(v.recommended_minor_version()),
                    arn: Some(v.arn().to_string()),
                    created_at: Some(timestamp(v.created_at())),
                    last_modified_at: Some(timestamp(v.last_modified_at())),
                }
            }
        }
    )*};
}

item_from!(
    EnvironmentTemplateVersionSummary,
    ServiceTemplateVersionSummary
);

fn item_attributes(kind: Kind) -> Vec<Attribute> {
    let what = format!("{} template version", kind.word());
    vec![
        computed(
            "template_name",
            &format!("Name of the {} template.", kind.word()),
        ),
        computed("major_version", "Major version, as a string (`\"1\"`)."),
        computed("minor_version", "Minor version, as a string (`\"0\"`)."),
        computed(
            "status",
            "`REGISTRATION_IN_PROGRESS`, `REGISTRATION_FAILED`, `DRAFT` or `PUBLISHED`.",
        ),
        computed(
            "status_message",
            "Why the version has its status, if Proton says.",
        ),
        computed("description", "Description of the version."),
        computed(
            "recommended_minor_version",
            "The recommended (newest published) minor version of this major version.",
        ),
        shape::arn(&what),
        shape::created_at(&what),
        shape::last_modified_at(&what),
    ]
}

/// A compatible environment template major version of a service template version.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Compatible {
    pub template_name: String,
    pub major_version: String,
}

/// What only a service template version has. Its fields must be there (null or not:
/// `deserialize_with` makes a missing one an error), so an environment template version reads `None`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ServiceVersion {
    #[serde(deserialize_with = "Option::deserialize")]
    pub compatible_environment_templates: Option<Vec<Compatible>>,
    #[serde(deserialize_with = "Option::deserialize")]
    pub supported_component_sources: Option<Vec<String>>,
}

/// `data "proton_environment_template_version"` / `data "proton_service_template_version"`.
pub struct TemplateVersion(pub Kind);

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Version {
    #[serde(flatten)]
    pub version: Item,
    pub schema: Option<String>,
    /// Only a service template version has these (and only its schema the attributes).
    #[serde(flatten)]
    pub service: Option<ServiceVersion>,
    pub tags: Option<BTreeMap<String, String>>,
}

impl Version {
    fn reported(kind: Kind, v: &ApiVersion) -> Self {
        Self {
            version: Item {
                template_name: v.template_name.clone(),
                major_version: Some(v.major_version.clone()),
                minor_version: Some(v.minor_version.clone()),
                status: Some(v.status.as_str().to_string()),
                status_message: text(v.status_message.as_deref()),
                description: text(v.description.as_deref()),
                recommended_minor_version: text(v.recommended_minor_version.as_deref()),
                arn: Some(v.arn.clone()),
                created_at: Some(timestamp(&v.created_at)),
                last_modified_at: Some(timestamp(&v.last_modified_at)),
            },
            schema: text(v.schema.as_deref()),
            service: (kind == Kind::Service).then(|| ServiceVersion {
                compatible_environment_templates: Some(
                    v.compatible_environment_templates
                        .iter()
                        .map(|c| Compatible {
                            template_name: c.template_name.clone(),
                            major_version: c.major_version.clone(),
                        })
                        .collect(),
                ),
                supported_component_sources: Some(v.supported_component_sources.clone()),
            }),
            tags: None,
        }
    }
}

impl TemplateVersion {
    /// The major and minor version the arguments name: as given, else the recommended minor version
    /// of the given major version, else the template's recommended version.
    async fn resolve(
        &self,
        ctx: &Ctx,
        template: &str,
        major: Option<String>,
        minor: Option<String>,
    ) -> Result<(String, String), Error> {
        let kind = self.0.word();
        match (major, minor) {
            (Some(major), Some(minor)) => Ok((major, minor)),
            (None, Some(_)) => Err(Error::Invalid(
                "minor_version needs major_version".to_string(),
            )),
            (Some(major), None) => {
                let found = match self.0 {
                    Kind::Environment => ctx
                        .api
                        .list_environment_template_versions(template, Some(&major))
                        .await
                        .map(|found| found.iter().map(Item::from).collect::<Vec<_>>()),
                    Kind::Service => ctx
                        .api
                        .list_service_template_versions(template, Some(&major))
                        .await
                        .map(|found| found.iter().map(Item::from).collect()),
                };
                let versions = or_missing(found, || format!("{kind} template named {template:?}"))?;
                let minor = versions
                    .into_iter()
                    .find_map(|v| v.recommended_minor_version)
                    .ok_or_else(|| {
                        missing(format!(
                            "published version of major version {major} of {kind} template {template:?}"
                        ))
                    })?;
                Ok((major, minor))
            }
            (None, None) => {
                let recommended = ctx
                    .api
                    .get_template(self.0, template)
                    .await?
                    .map(|t| t.recommended_version)
                    .ok_or_else(|| missing(format!("{kind} template named {template:?}")))?;
                recommended
                    .as_deref()
                    .and_then(|v| v.split_once('.'))
                    .map(|(major, minor)| (major.to_string(), minor.to_string()))
                    .ok_or_else(|| {
                        missing(format!("published version of {kind} template {template:?}"))
                    })
            }
        }
    }
}

impl DataSource for TemplateVersion {
    type Model = Version;

    fn spec(&self) -> DataSourceSpec {
        let kind = self.0.word();
        let mut attributes = shape::keyed(
            vec![
                shape::name_argument("template_name", &format!("Name of the {kind} template.")),
                version_part("major_version").optional_computed().describe(
                    "Major version, as a string (`\"1\"`). Unset: the major version of the template's \
                     recommended version.",
                ),
                version_part("minor_version").optional_computed().describe(
                    "Minor version, as a string (`\"0\"`); needs `major_version`. Unset: the recommended \
                     minor version of the major version.",
                ),
            ],
            item_attributes(self.0),
        );
        attributes.push(computed(
            "schema",
            "The schema of the version's inputs (YAML), from the template bundle.",
        ));
        let (type_name, description) = match self.0 {
            Kind::Environment => (
                "proton_environment_template_version",
                "Reads a version of an AWS Proton environment template: the one named, or the template's \
                 recommended version.",
            ),
            Kind::Service => {
                attributes.push(shape::list(
                    "compatible_environment_templates",
                    "Environment template major versions services of this version can be deployed to.",
                    vec![
                        computed("template_name", "Name of the environment template."),
                        computed("major_version", "Its compatible major version."),
                    ],
                ));
                attributes.push(shape::strings(
                    "supported_component_sources",
                    "Component sources the version's service instances accept (`DIRECTLY_DEFINED`).",
                ));
                (
                    "proton_service_template_version",
                    "Reads a version of an AWS Proton service template: the one named, or the template's \
                     recommended version.",
                )
            }
        };
        attributes.push(shape::tags("version"));
        DataSourceSpec {
            type_name,
            description,
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: Version) -> Result<Version, Error> {
        let template = config.version.template_name;
        let (major, minor) = self
            .resolve(
                ctx,
                &template,
                config.version.major_version,
                config.version.minor_version,
            )
            .await?;
        let id = VersionId {
            template_name: &template,
            major_version: &major,
            minor_version: &minor,
        };
        let found = ctx
            .api
            .get_template_version(self.0, id)
            .await?
            .map(|v| Version::reported(self.0, &v));
        let mut version = found.ok_or_else(|| {
            missing(format!(
                "version {major}.{minor} of {} template {template:?}",
                self.0.word()
            ))
        })?;
        if let Some(arn) = version.version.arn.as_deref() {
            version.tags = Some(ctx.api.list_tags(arn).await?);
        }
        Ok(version)
    }
}

/// `data "proton_environment_template_versions"` / `data "proton_service_template_versions"`.
pub struct TemplateVersions(pub Kind);

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Versions {
    pub template_name: String,
    pub major_version: Option<String>,
    pub template_versions: Option<Vec<Item>>,
}

impl DataSource for TemplateVersions {
    type Model = Versions;

    fn spec(&self) -> DataSourceSpec {
        let kind = self.0.word();
        let type_name = match self.0 {
            Kind::Environment => "proton_environment_template_versions",
            Kind::Service => "proton_service_template_versions",
        };
        DataSourceSpec {
            type_name,
            description: match self.0 {
                Kind::Environment => {
                    "Lists the versions of an AWS Proton environment template, optionally of one major version."
                }
                Kind::Service => {
                    "Lists the versions of an AWS Proton service template, optionally of one major version."
                }
            },
            attributes: vec![
                shape::name_argument("template_name", &format!("Name of the {kind} template.")),
                version_part("major_version")
                    .optional()
                    .describe("Only versions of this major version (`\"1\"`)."),
                shape::list(
                    "template_versions",
                    "The versions, as the API lists them.",
                    item_attributes(self.0),
                ),
            ],
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: Versions) -> Result<Versions, Error> {
        let (template, major) = (&config.template_name, config.major_version.as_deref());
        let found = match self.0 {
            Kind::Environment => ctx
                .api
                .list_environment_template_versions(template, major)
                .await
                .map(|found| found.iter().map(Item::from).collect()),
            Kind::Service => ctx
                .api
                .list_service_template_versions(template, major)
                .await
                .map(|found| found.iter().map(Item::from).collect()),
        };
        let versions: Vec<Item> = or_missing(found, || {
            format!("{} template named {template:?}", self.0.word())
        })?;
        Ok(Versions {
            template_versions: Some(versions),
            ..config
        })
    }
}
