//! The schema model: what a provider, resource or data source accepts, and how the engine plans it.
//!
//! Plan behaviour (`requires_replace`, `use_state_for_unknown`, defaults) and validation live here, on the
//! attribute, so the engine applies them uniformly and the docs generator can describe them.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;

use super::diagnostics::Diagnostics;
use super::path::AttributePath;
use super::types::Type;
use super::value::Value;

/// How a nested block or nested attribute repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
}

/// Who sets an attribute: the configuration, the provider, or either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
    /// Set by the provider only.
    Computed,
    /// Set in configuration, or by the provider when configuration leaves it null.
    OptionalComputed,
}

impl Presence {
    pub fn is_computed(self) -> bool {
        matches!(self, Presence::Computed | Presence::OptionalComputed)
    }

    pub fn is_configurable(self) -> bool {
        !matches!(self, Presence::Computed)
    }
}

/// How API values compare with configured ones when the API reformats them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Semantics {
    /// Byte-for-byte.
    Exact,
    /// Equal when both parse to the same YAML document.
    Yaml,
}

#[derive(Clone, Debug)]
pub enum AttributeKind {
    Primitive(Type),
    Nested {
        nesting: Nesting,
        attributes: Vec<Attribute>,
    },
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub kind: AttributeKind,
    pub presence: Presence,
    pub description: String,
    pub sensitive: bool,
    pub deprecation: Option<String>,
    pub requires_replace: bool,
    pub use_state_for_unknown: bool,
    pub default: Option<Value>,
    pub validators: Vec<Validator>,
    pub semantics: Semantics,
    /// With `requires_replace`: replace only when this says so (prior value, planned value).
    pub replace_if: Option<ReplaceIf>,
    /// Optional to Terraform but refused at plan when missing on create (see `required_to_create`).
    pub required_to_create: bool,
}

/// A condition on a change that decides whether it replaces the object (with `requires_replace`).
#[derive(Clone, Copy, Debug)]
pub struct ReplaceIf {
    /// When the change replaces, in words (for documentation).
    pub when: &'static str,
    pub check: fn(prior: &Value, planned: &Value) -> bool,
}

impl Attribute {
    fn new(name: &str, kind: AttributeKind) -> Self {
        Self {
            name: name.to_string(),
            kind,
            presence: Presence::Optional,
            description: String::new(),
            sensitive: false,
            deprecation: None,
            requires_replace: false,
            use_state_for_unknown: false,
            default: None,
            validators: Vec::new(),
            semantics: Semantics::Exact,
            replace_if: None,
            required_to_create: false,
        }
    }

    pub fn string(name: &str) -> Self {
        Self::new(name, AttributeKind::Primitive(Type::String))
    }

    pub fn bool(name: &str) -> Self {
        Self::new(name, AttributeKind::Primitive(Type::Bool))
    }

    pub fn number(name: &str) -> Self {
        Self::new(name, AttributeKind::Primitive(Type::Number))
    }

    pub fn string_map(name: &str) -> Self {
        Self::new(name, AttributeKind::Primitive(Type::map(Type::String)))
    }

    pub fn string_list(name: &str) -> Self {
        Self::new(name, AttributeKind::Primitive(Type::list(Type::String)))
    }

    pub fn string_set(name: &str) -> Self {
        Self::new(name, AttributeKind::Primitive(Type::set(Type::String)))
    }

    pub fn nested(name: &str, nesting: Nesting, attributes: Vec<Attribute>) -> Self {
        Self::new(
            name,
            AttributeKind::Nested {
                nesting,
                attributes,
            },
        )
    }

    pub fn required(mut self) -> Self {
        self.presence = Presence::Required;
        self
    }

    /// An argument a create needs but Proton never reports: optional to Terraform, so an import and
    /// the configuration `-generate-config-out` writes for it are valid without it, and refused by the
    /// engine's plan when a create leaves it out.
    pub fn required_to_create(mut self) -> Self {
        self.presence = Presence::Optional;
        self.required_to_create = true;
        self
    }

    pub fn optional(mut self) -> Self {
        self.presence = Presence::Optional;
        self
    }

    pub fn computed(mut self) -> Self {
        self.presence = Presence::Computed;
        self
    }

    pub fn optional_computed(mut self) -> Self {
        self.presence = Presence::OptionalComputed;
        self
    }

    pub fn describe(mut self, description: &str) -> Self {
        self.description = description.to_string();
        self
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub fn deprecated(mut self, message: &str) -> Self {
        self.deprecation = Some(message.to_string());
        self
    }

    /// A change to this attribute destroys and re-creates the object.
    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }

    /// A change to this attribute replaces the object only when `check(prior, planned)` holds; other
    /// changes are updated in place. `when` says in words when that is.
    pub fn requires_replace_if(
        mut self,
        when: &'static str,
        check: fn(prior: &Value, planned: &Value) -> bool,
    ) -> Self {
        self.requires_replace = true;
        self.replace_if = Some(ReplaceIf { when, check });
        self
    }

    /// Whether changing this attribute from `prior` to `planned` replaces the object.
    pub fn replaces(&self, prior: &Value, planned: &Value) -> bool {
        self.requires_replace
            && prior != planned
            && self
                .replace_if
                .as_ref()
                .is_none_or(|condition| (condition.check)(prior, planned))
    }

    /// A computed value that never changes once set: plans keep the prior value instead of unknown.
    pub fn use_state_for_unknown(mut self) -> Self {
        self.use_state_for_unknown = true;
        self
    }

    /// The value planned when configuration leaves the attribute null (makes it optional + computed).
    pub fn default_value(mut self, value: Value) -> Self {
        self.default = Some(value);
        self.presence = Presence::OptionalComputed;
        self
    }

    pub fn validate(mut self, validator: Validator) -> Self {
        self.validators.push(validator);
        self
    }

    pub fn yaml(mut self) -> Self {
        self.semantics = Semantics::Yaml;
        self.validators.push(Validator::Yaml);
        self
    }

    /// How Terraform is told about presence. YAML attributes are optional + computed on the wire so that
    /// plans may keep the stored text when the configured text means the same; the engine itself checks
    /// that a required one is set.
    ///
    /// Optional single nested attributes are optional + computed on the wire too: Terraform 1.0 panics
    /// planning an optional, non-computed single nested attribute left null. The engine plans a null
    /// configuration of such an attribute as null itself, so the user-visible behaviour is unchanged.
    pub fn terraform_presence(&self) -> Presence {
        let single_nested = matches!(
            self.kind,
            AttributeKind::Nested {
                nesting: Nesting::Single,
                ..
            }
        );
        match (self.semantics, self.presence) {
            (Semantics::Yaml, Presence::Required | Presence::Optional) => {
                Presence::OptionalComputed
            }
            (_, Presence::Optional) if single_nested => Presence::OptionalComputed,
            (_, presence) => presence,
        }
    }

    /// Whether Terraform is told the attribute is computed although the provider never computes it,
    /// so a null configuration must be planned as null by the engine.
    pub fn computed_on_the_wire_only(&self) -> bool {
        !self.presence.is_computed() && self.terraform_presence().is_computed()
    }

    /// The cty type of this attribute's value.
    pub fn value_type(&self) -> Type {
        match &self.kind {
            AttributeKind::Primitive(ty) => ty.clone(),
            AttributeKind::Nested {
                nesting,
                attributes,
            } => nest(*nesting, object_type(attributes, &[])),
        }
    }

    /// Nested attributes, if this attribute has them.
    pub fn nested_attributes(&self) -> &[Attribute] {
        match &self.kind {
            AttributeKind::Nested { attributes, .. } => attributes,
            AttributeKind::Primitive(_) => &[],
        }
    }
}

fn nest(nesting: Nesting, object: Type) -> Type {
    match nesting {
        Nesting::Single => object,
        Nesting::List => Type::list(object),
        Nesting::Set => Type::set(object),
        Nesting::Map => Type::map(object),
    }
}

fn object_type(attributes: &[Attribute], blocks: &[NestedBlock]) -> Type {
    Type::object(
        attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .chain(blocks.iter().map(|b| (b.name.clone(), b.value_type()))),
    )
}

/// A nested block (`timeouts { ... }`, `assume_role { ... }`).
#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub name: String,
    pub nesting: Nesting,
    pub block: Block,
    pub min_items: i64,
    pub max_items: i64,
}

impl NestedBlock {
    pub fn single(name: &str, block: Block) -> Self {
        Self {
            name: name.to_string(),
            nesting: Nesting::Single,
            block,
            min_items: 0,
            max_items: 0,
        }
    }

    pub fn list(name: &str, block: Block, max_items: i64) -> Self {
        Self {
            name: name.to_string(),
            nesting: Nesting::List,
            block,
            min_items: 0,
            max_items,
        }
    }

    pub fn value_type(&self) -> Type {
        nest(self.nesting, self.block.value_type())
    }
}

#[derive(Clone, Debug, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub description: String,
    pub deprecated: bool,
}

impl Block {
    pub fn new(attributes: Vec<Attribute>) -> Self {
        Self {
            attributes,
            ..Self::default()
        }
    }

    pub fn with_block(mut self, block: NestedBlock) -> Self {
        self.blocks.push(block);
        self
    }

    pub fn describe(mut self, description: &str) -> Self {
        self.description = description.to_string();
        self
    }

    pub fn value_type(&self) -> Type {
        object_type(&self.attributes, &self.blocks)
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn nested_block(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// Runs every attribute validator on a configuration object, recursing into nested attributes and
    /// blocks. Unknown and null values are skipped: they are checked again once known.
    pub fn validate(&self, config: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        let Value::Object(fields) = config else {
            return;
        };
        for attribute in &self.attributes {
            let value = fields.get(&attribute.name).unwrap_or(&Value::Null);
            validate_attribute(attribute, value, &path.attr(&attribute.name), diags);
        }
        for block in &self.blocks {
            let value = fields.get(&block.name).unwrap_or(&Value::Null);
            for_each_nested(block.nesting, value, &path.attr(&block.name), |v, p| {
                block.block.validate(v, &p, diags)
            });
        }
    }
}

fn validate_attribute(
    attribute: &Attribute,
    value: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    if value.is_null() && attribute.presence == Presence::Required {
        diags.attribute_error(
            path.clone(),
            "Missing required argument",
            format!("The argument {path} is required, but no definition was found."),
        );
    }
    if value.is_null() || value.is_unknown() {
        return;
    }
    for validator in &attribute.validators {
        validator.check(value, path, diags);
    }
    if let AttributeKind::Nested {
        nesting,
        attributes,
    } = &attribute.kind
    {
        let nested = Block::new(attributes.clone());
        for_each_nested(*nesting, value, path, |v, p| nested.validate(v, &p, diags));
    }
}

/// Calls `f` on each object of a nested value with its path.
fn for_each_nested(
    nesting: Nesting,
    value: &Value,
    path: &AttributePath,
    mut f: impl FnMut(&Value, AttributePath),
) {
    match (nesting, value) {
        (Nesting::Single, Value::Object(_)) => f(value, path.clone()),
        (Nesting::List | Nesting::Set, Value::List(items) | Value::Set(items)) => {
            for (index, item) in items.iter().enumerate() {
                f(item, path.index(index));
            }
        }
        (Nesting::Map, Value::Map(items)) => {
            for (key, item) in items {
                f(item, path.key(key));
            }
        }
        _ => {}
    }
}

/// A full schema with its version (bumped when the stored state layout changes).
#[derive(Clone, Debug)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

/// A check on a configured value. Each has a description used in generated documentation.
#[derive(Clone, Debug)]
pub enum Validator {
    /// Length in characters (Unicode scalar values), inclusive bounds.
    Length { min: usize, max: usize },
    /// A regular expression the whole value must match.
    Pattern(Pattern),
    /// One of a fixed set of strings.
    OneOf(Vec<&'static str>),
    /// An IAM role ARN.
    IamRoleArn,
    /// Any ARN.
    Arn,
    /// A YAML document that parses.
    Yaml,
    /// Number of elements of a list, set or map.
    Size { min: usize, max: usize },
    /// Applies to every element of a list or set.
    Each(Box<Validator>),
}

#[derive(Clone, Debug)]
pub struct Pattern {
    pub source: &'static str,
    pub explanation: &'static str,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    fn matches(&self, text: &str) -> Option<bool> {
        self.compiled
            .get_or_init(|| Regex::new(&format!("^(?:{})$", self.source)).ok())
            .as_ref()
            .map(|re| re.is_match(text))
    }
}

const ARN_PATTERN: &str = r"arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:\S+";
const IAM_ROLE_ARN_PATTERN: &str =
    r"arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]{1,576}";

impl Validator {
    pub fn length(min: usize, max: usize) -> Self {
        Validator::Length { min, max }
    }

    pub fn pattern(source: &'static str, explanation: &'static str) -> Self {
        Validator::Pattern(Pattern {
            source,
            explanation,
            compiled: OnceLock::new(),
        })
    }

    pub fn one_of(values: &[&'static str]) -> Self {
        Validator::OneOf(values.to_vec())
    }

    pub fn size(min: usize, max: usize) -> Self {
        Validator::Size { min, max }
    }

    pub fn each(validator: Validator) -> Self {
        Validator::Each(Box::new(validator))
    }

    /// Markdown description for documentation.
    pub fn description(&self) -> String {
        match self {
            Validator::Length { min, max } => {
                format!("must be between {min} and {max} characters long")
            }
            Validator::Pattern(p) => format!("{} (pattern `{}`)", p.explanation, p.source),
            Validator::OneOf(values) => format!(
                "must be one of {}",
                values
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Validator::IamRoleArn => "must be an IAM role ARN".to_string(),
            Validator::Arn => "must be an ARN".to_string(),
            Validator::Yaml => "must be a YAML document".to_string(),
            Validator::Size { min, max } => {
                format!("must have between {min} and {max} elements")
            }
            Validator::Each(inner) => format!("has elements that each {}", inner.description()),
        }
    }

    /// Checks a known, non-null value, adding an error with `path` when it fails.
    pub fn check(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some(problem) = self.problem(value) {
            diags.attribute_error(
                path.clone(),
                "Invalid attribute value",
                format!("Attribute {path} {problem}."),
            );
        }
    }

    fn problem(&self, value: &Value) -> Option<String> {
        match self {
            Validator::Size { min, max } => {
                let count = match value {
                    Value::List(items) | Value::Set(items) | Value::Tuple(items) => items.len(),
                    Value::Map(items) => items.len(),
                    _ => return None,
                };
                (count < *min || count > *max)
                    .then(|| format!("{}, got {count}", self.description()))
            }
            Validator::Each(inner) => value.elements().and_then(|items| {
                items
                    .iter()
                    .filter(|item| !item.is_null() && !item.is_unknown())
                    .find_map(|item| inner.problem(item))
                    .map(|problem| format!("has an element that {problem}"))
            }),
            _ => {
                let text = value.as_str()?;
                self.string_problem(text)
            }
        }
    }

    fn string_problem(&self, text: &str) -> Option<String> {
        match self {
            Validator::Length { min, max } => {
                let length = text.chars().count();
                (length < *min || length > *max)
                    .then(|| format!("{}, got {length}", self.description()))
            }
            Validator::Pattern(pattern) => match pattern.matches(text) {
                Some(true) => None,
                Some(false) => Some(format!("{}, got {text:?}", self.description())),
                None => Some(format!(
                    "cannot be checked: the provider's pattern `{}` does not compile",
                    pattern.source
                )),
            },
            Validator::OneOf(values) => {
                (!values.contains(&text)).then(|| format!("{}, got {text:?}", self.description()))
            }
            Validator::IamRoleArn => {
                static ROLE: OnceLock<Option<Regex>> = OnceLock::new();
                regex_problem(&ROLE, IAM_ROLE_ARN_PATTERN, text, self)
            }
            Validator::Arn => {
                static ARN: OnceLock<Option<Regex>> = OnceLock::new();
                regex_problem(&ARN, ARN_PATTERN, text, self)
            }
            Validator::Yaml => yaml_problem(text),
            Validator::Size { .. } | Validator::Each(_) => None,
        }
    }
}

fn regex_problem(
    cache: &OnceLock<Option<Regex>>,
    source: &str,
    text: &str,
    validator: &Validator,
) -> Option<String> {
    let matched = cache
        .get_or_init(|| Regex::new(&format!("^(?:{source})$")).ok())
        .as_ref()
        .is_some_and(|re| re.is_match(text));
    (!matched).then(|| format!("{}, got {text:?}", validator.description()))
}

fn yaml_problem(text: &str) -> Option<String> {
    match yaml_rust2::YamlLoader::load_from_str(text) {
        Ok(_) => None,
        Err(error) => Some(format!("is not valid YAML: {error}")),
    }
}

/// True when two YAML documents parse to the same data.
pub fn yaml_equal(left: &str, right: &str) -> bool {
    match (
        yaml_rust2::YamlLoader::load_from_str(left),
        yaml_rust2::YamlLoader::load_from_str(right),
    ) {
        (Ok(a), Ok(b)) => a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| same_yaml(x, y)),
        _ => left == right,
    }
}

/// Structural equality that ignores the order of mapping keys.
fn same_yaml(left: &yaml_rust2::Yaml, right: &yaml_rust2::Yaml) -> bool {
    use yaml_rust2::Yaml;
    match (left, right) {
        (Yaml::Hash(a), Yaml::Hash(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(key, value)| b.get(key).is_some_and(|other| same_yaml(value, other)))
        }
        (Yaml::Array(a), Yaml::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_yaml(x, y))
        }
        _ => left == right,
    }
}

/// Attribute descriptions by name, for quick lookups by the docs generator and tests.
pub fn attribute_index(block: &Block) -> BTreeMap<&str, &Attribute> {
    block
        .attributes
        .iter()
        .map(|a| (a.name.as_str(), a))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_for(validator: Validator, value: Value) -> Vec<String> {
        let mut diags = Diagnostics::new();
        validator.check(&value, &AttributePath::attribute("x"), &mut diags);
        diags.iter().map(|d| d.detail.clone()).collect()
    }

    #[test]
    fn length_counts_characters() {
        assert!(errors_for(Validator::length(1, 3), Value::string("äöü")).is_empty());
        assert_eq!(
            errors_for(Validator::length(1, 3), Value::string("abcd")),
            vec!["Attribute x must be between 1 and 3 characters long, got 4."]
        );
    }

    #[test]
    fn pattern_is_anchored() {
        let name = Validator::pattern("[0-9A-Za-z]+[0-9A-Za-z_\\-]*", "must be a Proton name");
        assert!(errors_for(name.clone(), Value::string("env-1")).is_empty());
        assert_eq!(errors_for(name, Value::string("bad name!")).len(), 1);
    }

    #[test]
    fn one_of_and_arns() {
        assert!(errors_for(Validator::one_of(&["A", "B"]), Value::string("A")).is_empty());
        assert_eq!(
            errors_for(Validator::one_of(&["A"]), Value::string("C")).len(),
            1
        );
        assert!(
            errors_for(
                Validator::IamRoleArn,
                Value::string("arn:aws:iam::123456789012:role/proton-service")
            )
            .is_empty()
        );
        assert_eq!(
            errors_for(
                Validator::IamRoleArn,
                Value::string("arn:aws:iam::1:user/x")
            )
            .len(),
            1
        );
    }

    #[test]
    fn yaml_must_parse_and_compares_semantically() {
        assert!(errors_for(Validator::Yaml, Value::string("a: 1\nb: [x]\n")).is_empty());
        assert_eq!(
            errors_for(Validator::Yaml, Value::string("a: [unclosed")).len(),
            1
        );
        assert!(yaml_equal("a: 1\nb: 2\n", "{b: 2, a: 1}"));
        assert!(!yaml_equal("a: 1", "a: 2"));
    }

    #[test]
    fn each_checks_every_element() {
        let each = Validator::each(Validator::one_of(&["A"]));
        let ok = Value::Set(vec![Value::string("A")]);
        assert!(errors_for(each.clone(), ok).is_empty());
        let bad = Value::List(vec![Value::string("A"), Value::string("B")]);
        assert_eq!(
            errors_for(each, bad),
            vec!["Attribute x has an element that must be one of `A`, got \"B\"."]
        );
    }

    #[test]
    fn conditional_replacement() {
        fn to_lower(prior: &Value, planned: &Value) -> bool {
            prior.as_str() == Some("B") && planned.as_str() == Some("A")
        }
        let plain = Attribute::string("x").requires_replace();
        let conditional = Attribute::string("x").requires_replace_if("going back", to_lower);
        let (a, b) = (Value::string("A"), Value::string("B"));
        assert!(plain.replaces(&a, &b) && plain.replaces(&b, &a));
        assert!(!plain.replaces(&a, &a));
        assert!(!conditional.replaces(&a, &b));
        assert!(conditional.replaces(&b, &a));
        assert!(!Attribute::string("x").replaces(&a, &b));
    }

    #[test]
    fn nested_validation_reports_full_paths() {
        let block = Block::new(vec![Attribute::nested(
            "source",
            Nesting::Single,
            vec![Attribute::string("bucket").validate(Validator::length(3, 63))],
        )]);
        let config = Value::Object(BTreeMap::from([(
            "source".to_string(),
            Value::Object(BTreeMap::from([(
                "bucket".to_string(),
                Value::string("ab"),
            )])),
        )]));
        let mut diags = Diagnostics::new();
        block.validate(&config, &AttributePath::root(), &mut diags);
        let paths: Vec<String> = diags
            .iter()
            .filter_map(|d| d.path.as_ref().map(|p| p.to_string()))
            .collect();
        assert_eq!(paths, vec!["source.bucket"]);
    }
}
