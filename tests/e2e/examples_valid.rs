//! Every example is formatted and valid, as the registry pages and the README promise:
//!
//! - `terraform fmt -check -recursive examples/` (Terraform 1.15.5), and the Terraform code shown in the
//!   guides and the module READMEs;
//! - `terraform validate` on every example directory and every module under `examples/`, each copied
//!   into its own dev_overrides workspace (local module sources resolve as in the repository), with
//!   Terraform 1.15.5 (`-query` where there are list files), and with Terraform 1.0.3 on the files that
//!   use nothing newer than 1.0 knows. Which files those are is decided by reading them, and checked
//!   against what each kind of example is expected to need, so a broken detector cannot quietly leave
//!   1.0.3 with nothing to validate;
//! - each resource's `import.sh` and `import-by-identity.tf` name the same object, declared in its
//!   `resource.tf`, by the identity attributes the provider serves.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread;

use proton_test_support::{
    TERRAFORM_CURRENT, TERRAFORM_OLD, Terraform, Workspace, combined_str, pinned_terraform,
    repo_root, terraform_versions,
};
use regex::Regex;
use serde_json::Value;

/// Parallel validations; each is short and mostly waits on process start-up.
const WORKERS: usize = 4;

/// The only warning every validation prints: the workspace uses dev_overrides on purpose.
const DEV_OVERRIDES_WARNING: &str = "Provider development overrides are in effect";

/// A file the workspace adds when an example has no `required_providers` of its own (registry
/// examples leave it out; without it Terraform would look for `hashicorp/proton`).
const PROVIDERS_FILE: &str = "zz_examples_valid_providers.tf";

fn examples_root() -> PathBuf {
    repo_root().join("examples")
}

// ------------------------------------------------------------------------------------------------
// What Terraform 1.0.3 does not know
// ------------------------------------------------------------------------------------------------

/// Constructs newer than Terraform 1.0, with the version that introduced them.
fn newer_constructs() -> Vec<(Regex, &'static str)> {
    let rules: [(&str, &str); 15] = [
        (r"(?m)^\s*import\s*\{", "import block (1.5)"),
        (r"(?m)^\s*identity\s*=", "import by identity (1.12)"),
        (r#"(?m)^\s*list\s+""#, "list block (1.14)"),
        (r#"(?m)^\s*action\s+""#, "action block (1.14)"),
        (r"(?m)^\s*action_trigger\s*\{", "action_trigger (1.14)"),
        (r"\bterraform_data\b", "terraform_data (1.4)"),
        (r"(?m)^\s*moved\s*\{", "moved block (1.1)"),
        (r"(?m)^\s*removed\s*\{", "removed block (1.7)"),
        (r#"(?m)^\s*check\s+""#, "check block (1.5)"),
        (r#"(?m)^\s*ephemeral\s+""#, "ephemeral resource (1.10)"),
        (r"\bprovider::", "provider-defined function (1.8)"),
        (r"\boptional\(", "optional object attribute (1.3)"),
        (r"(?m)^\s*nullable\s*=", "nullable variable (1.1)"),
        (
            r"(?m)^\s*(precondition|postcondition)\s*\{",
            "pre/postcondition (1.2)",
        ),
        (r"\breplace_triggered_by\b", "replace_triggered_by (1.2)"),
    ];
    rules
        .iter()
        .map(|(pattern, what)| {
            let regex =
                Regex::new(pattern).unwrap_or_else(|error| panic!("pattern {pattern:?}: {error}"));
            (regex, *what)
        })
        .collect()
}

/// The text without comments (`#`, `//` and `/* */`), so a construct only mentioned in a comment
/// does not count. Strings are not parsed: a `#` inside one only ever hides text, never adds it.
fn without_comments(text: &str) -> String {
    let block = Regex::new(r"(?s)/\*.*?\*/").unwrap_or_else(|error| panic!("{error}"));
    let text = block.replace_all(text, " ");
    text.lines()
        .map(|line| {
            let cut = [line.find('#'), line.find("//")]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(line.len());
            &line[..cut]
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What in `text` Terraform 1.0 would not understand (empty: the file is fine for 1.0.3).
fn newer_features(rules: &[(Regex, &'static str)], text: &str) -> Vec<&'static str> {
    let code = without_comments(text);
    rules
        .iter()
        .filter(|(regex, _)| regex.is_match(&code))
        .map(|(_, what)| *what)
        .collect()
}

#[test]
fn the_detector_reads_code_not_comments() {
    let rules = newer_constructs();
    let old = "# import {\n#   to = x.y\n# }\n// action \"a\" \"b\" {\n/* list \"x\" \"y\" {\n} */\n\
               resource \"proton_environment_template\" \"t\" {\n  name = \"web\" # terraform_data\n}\n";
    assert_eq!(newer_features(&rules, old), Vec::<&str>::new());
    let import =
        "import {\n  to = proton_environment.e\n  identity = {\n    name = \"e\"\n  }\n}\n";
    assert_eq!(
        newer_features(&rules, import),
        vec!["import block (1.5)", "import by identity (1.12)"]
    );
    let action = "action \"proton_cancel_deployment\" \"x\" {\n  config {}\n}\n";
    assert_eq!(newer_features(&rules, action), vec!["action block (1.14)"]);
    let data = "resource \"terraform_data\" \"x\" {}\n";
    assert_eq!(newer_features(&rules, data), vec!["terraform_data (1.4)"]);
    let typed =
        "variable \"v\" {\n  type = object({ a = optional(string) })\n  nullable = false\n}\n";
    assert_eq!(
        newer_features(&rules, typed),
        vec!["optional object attribute (1.3)", "nullable variable (1.1)"]
    );
}

// ------------------------------------------------------------------------------------------------
// The examples
// ------------------------------------------------------------------------------------------------

/// One example directory: its path under `examples/` and its files by name.
struct Example {
    rel: String,
    files: BTreeMap<String, String>,
}

impl Example {
    fn config_files(&self) -> impl Iterator<Item = (&String, &String)> {
        self.files
            .iter()
            .filter(|(name, _)| name.ends_with(".tf") || name.ends_with(".tfquery.hcl"))
    }
}

/// Every directory under `examples/` that holds Terraform files, sorted by path. Not
/// `examples/bundles/`: its `.tf` files are template bundle contents, which Proton completes with its
/// own variables file before anything runs them (`terraform fmt` still checks them).
fn examples() -> Vec<Example> {
    fn walk(dir: &Path, found: &mut Vec<Example>) {
        if dir == examples_root().join("bundles") {
            return;
        }
        let mut entries: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
            .map(|entry| {
                entry
                    .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
                    .path()
            })
            .collect();
        entries.sort();
        let mut files = BTreeMap::new();
        for path in entries {
            if path.is_dir() {
                walk(&path, found);
            } else if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
                let text = fs::read_to_string(&path)
                    .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
                files.insert(name.to_string(), text);
            }
        }
        let has_config = files
            .keys()
            .any(|name| name.ends_with(".tf") || name.ends_with(".tfquery.hcl"));
        if has_config {
            let rel = dir
                .strip_prefix(examples_root())
                .unwrap_or_else(|_| panic!("{} is outside examples/", dir.display()))
                .to_string_lossy()
                .into_owned();
            found.push(Example { rel, files });
        }
    }
    let mut found = Vec::new();
    walk(&examples_root(), &mut found);
    found.sort_by(|a, b| a.rel.cmp(&b.rel));
    found
}

/// Examples that exist to show Terraform 1.14 features; every other example must validate on
/// Terraform 1.0.3 (at least its files without import blocks).
fn needs_terraform_1_14(rel: &str) -> bool {
    rel.starts_with("actions/") || rel.starts_with("list-resources/")
}

/// What one validation run copies: the files Terraform gets to see, under `examples/<rel>`.
struct Job<'a> {
    example: &'a Example,
    terraform: &'a Terraform,
    files: Vec<(&'a String, &'a String)>,
}

fn uses_modules(files: &[(&String, &String)]) -> bool {
    let module = Regex::new(r#"(?m)^\s*module\s+""#).unwrap_or_else(|error| panic!("{error}"));
    files
        .iter()
        .any(|(name, text)| name.ends_with(".tf") && module.is_match(&without_comments(text)))
}

/// Writes the job's files (and, when it calls modules, `examples/modules`) into a fresh workspace,
/// then runs `get` if needed and `validate -json`. Returns the problems found.
fn validate(job: &Job<'_>, modules: &Example) -> Result<(), String> {
    let tf = job.terraform;
    let ws = Workspace::with_env(tf, Vec::new());
    let dir = format!("examples/{}", job.example.rel);
    for (name, text) in &job.files {
        ws.write(&format!("{dir}/{name}"), text);
    }
    let declares_providers = job
        .files
        .iter()
        .any(|(name, text)| name.ends_with(".tf") && text.contains("required_providers"));
    if !declares_providers {
        ws.write(
            &format!("{dir}/{PROVIDERS_FILE}"),
            &proton_test_support::required_providers_block(),
        );
    }
    let chdir = format!("-chdir={dir}");
    if uses_modules(&job.files) {
        for (name, text) in &modules.files {
            ws.write(&format!("examples/{}/{name}", modules.rel), text);
        }
        let output = ws.run(&[&chdir, "get", "-no-color"]);
        if !output.status.success() {
            return Err(format!("terraform get failed:\n{}", combined_str(&output)));
        }
    }
    let mut args = vec![chdir.as_str(), "validate", "-json", "-no-color"];
    let has_queries = job
        .files
        .iter()
        .any(|(name, _)| name.ends_with(".tfquery.hcl"));
    if has_queries {
        args.push("-query");
    }
    let output = ws.run(&args);
    let report: Value = serde_json::from_slice(&output.stdout).map_err(|error| {
        format!(
            "validate -json printed no JSON ({error}):\n{}",
            combined_str(&output)
        )
    })?;
    let problems: Vec<String> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["summary"] != DEV_OVERRIDES_WARNING)
        .map(|d| {
            format!(
                "{}: {}: {} ({})",
                d["severity"].as_str().unwrap_or("?"),
                d["summary"].as_str().unwrap_or_default(),
                d["detail"].as_str().unwrap_or_default(),
                d["range"]["filename"].as_str().unwrap_or("-")
            )
        })
        .collect();
    if report["valid"] != Value::Bool(true) || !problems.is_empty() || !output.status.success() {
        return Err(format!(
            "not valid (exit {}):\n  {}",
            proton_test_support::describe_status(&output.status),
            problems.join("\n  ")
        ));
    }
    Ok(())
}

#[test]
fn every_example_and_module_validates() {
    let all = examples();
    let modules = examples_root().join("modules");
    let module_files = Example {
        rel: "modules".to_string(),
        files: all
            .iter()
            .filter(|e| e.rel.starts_with("modules/"))
            .flat_map(|e| {
                let sub = e.rel.trim_start_matches("modules/").to_string();
                e.files
                    .iter()
                    .map(move |(name, text)| (format!("{sub}/{name}"), text.clone()))
            })
            .collect(),
    };
    // The kinds of example the docs and the README promise; a layout change must show up here.
    for prefix in [
        "resources/",
        "data-sources/",
        "actions/",
        "list-resources/",
        "modules/",
        "provider",
        "quickstart",
        "complete",
    ] {
        assert!(
            all.iter().any(|e| e.rel.starts_with(prefix)),
            "no example under examples/{prefix}"
        );
    }
    assert!(modules.is_dir());

    let rules = newer_constructs();
    let current = pinned_terraform(TERRAFORM_CURRENT);
    let old = pinned_terraform(TERRAFORM_OLD);
    let mut jobs = Vec::new();
    let mut expectation_errors = Vec::new();
    let mut left_out = 0;
    for example in &all {
        if let Some(tf) = &current {
            jobs.push(Job {
                example,
                terraform: tf,
                files: example.config_files().collect(),
            });
        }
        // Terraform 1.0.3 sees the .tf files that use nothing newer (it ignores .tfquery.hcl anyway).
        let mut old_files = Vec::new();
        for (name, text) in example.config_files() {
            let newer = newer_features(&rules, text);
            if name.ends_with(".tf") && newer.is_empty() {
                old_files.push((name, text));
            } else {
                left_out += 1;
                if name == "import-by-identity.tf" && !newer.contains(&"import by identity (1.12)")
                {
                    expectation_errors.push(format!(
                        "examples/{}/{name}: the detector does not see its identity import",
                        example.rel
                    ));
                }
            }
        }
        let expected_old = !needs_terraform_1_14(&example.rel);
        if expected_old == old_files.is_empty() {
            expectation_errors.push(format!(
                "examples/{}: expected {} on Terraform 1.0.3, but {} of its files use nothing newer; \
                 fix the example or the detector, or say so in needs_terraform_1_14",
                example.rel,
                if expected_old {
                    "to validate"
                } else {
                    "to be skipped"
                },
                old_files.len()
            ));
        }
        if let (Some(tf), false) = (&old, old_files.is_empty()) {
            jobs.push(Job {
                example,
                terraform: tf,
                files: old_files,
            });
        }
    }
    assert!(
        expectation_errors.is_empty(),
        "{}",
        expectation_errors.join("\n")
    );

    let queue = Mutex::new(jobs.iter().collect::<Vec<_>>());
    let failures = Mutex::new(Vec::new());
    let counts = Mutex::new(BTreeMap::<String, usize>::new());
    thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().map(|mut q| q.pop()).unwrap_or(None);
                    let Some(job) = next else { break };
                    let result = validate(job, &module_files);
                    let version = job.terraform.version_string.clone();
                    if let Ok(mut counts) = counts.lock() {
                        *counts.entry(version.clone()).or_default() += 1;
                    }
                    if let Err(problem) = result
                        && let Ok(mut failures) = failures.lock()
                    {
                        failures.push(format!(
                            "examples/{} with Terraform {version}: {problem}",
                            job.example.rel
                        ));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap_or_default();
    let counts = counts.into_inner().unwrap_or_default();
    eprintln!(
        "validated {} example directories: {counts:?}; {left_out} files left out on 1.0.3",
        all.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    match (&current, &old) {
        (None, None) => panic!("neither Terraform 1.15.5 nor 1.0.3 is selected (PROTON_TF_ONLY)"),
        (Some(_), Some(_)) => {}
        _ => eprintln!("note: PROTON_TF_ONLY left one of the two pinned Terraforms out"),
    }
    let on_current = current
        .as_ref()
        .and_then(|tf| counts.get(&tf.version_string))
        .copied()
        .unwrap_or(0);
    let on_old = old
        .as_ref()
        .and_then(|tf| counts.get(&tf.version_string))
        .copied()
        .unwrap_or(0);
    if current.is_some() {
        assert_eq!(on_current, all.len(), "every example on 1.15.5");
    }
    if old.is_some() {
        let expected = all.iter().filter(|e| !needs_terraform_1_14(&e.rel)).count();
        assert_eq!(on_old, expected, "every pre-1.14 example on 1.0.3");
    }
}

// ------------------------------------------------------------------------------------------------
// Formatting
// ------------------------------------------------------------------------------------------------

fn current_terraform() -> Terraform {
    pinned_terraform(TERRAFORM_CURRENT)
        // `terraform fmt`'s layout is the one the examples follow; OpenTofu's may differ.
        .or_else(|| terraform_versions().into_iter().find(|tf| !tf.is_tofu))
        .unwrap_or_else(|| panic!("no Terraform to run fmt with"))
}

fn fmt_check(ws: &Workspace, path: &Path) {
    let target = path.to_string_lossy().into_owned();
    let output = ws.run(&[
        "fmt",
        "-check",
        "-recursive",
        "-list=true",
        "-no-color",
        &target,
    ]);
    assert!(
        output.status.success(),
        "terraform fmt would change these files (run `terraform fmt -recursive {target}`):\n{}",
        combined_str(&output)
    );
}

#[test]
fn examples_are_formatted() {
    let tf = current_terraform();
    let ws = Workspace::with_env(&tf, Vec::new());
    fmt_check(&ws, &examples_root());
}

/// The Terraform code shown in the hand-written guides and module READMEs, which no generator
/// checks.
#[test]
fn code_in_guides_and_module_readmes_is_formatted() {
    let tf = current_terraform();
    let ws = Workspace::with_env(&tf, Vec::new());
    let mut pages: Vec<PathBuf> = Vec::new();
    for dir in [
        repo_root().join("docs/guides"),
        examples_root().join("modules"),
    ] {
        let mut stack = vec![dir];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
                let path = entry
                    .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                    .path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|x| x == "md") {
                    pages.push(path);
                }
            }
        }
    }
    pages.sort();
    let mut blocks = 0;
    for page in &pages {
        let text = fs::read_to_string(page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
        let rel = page
            .strip_prefix(repo_root())
            .unwrap_or(page)
            .to_string_lossy()
            .replace(['/', '.'], "_");
        for (index, block) in text.split("```terraform\n").skip(1).enumerate() {
            let code = block.split("```").next().unwrap_or_default();
            ws.write(&format!("blocks/{rel}-{index}.tf"), code);
            blocks += 1;
        }
    }
    let guides = pages
        .iter()
        .filter(|p| p.starts_with(repo_root().join("docs/guides")))
        .count();
    assert!(guides >= 4, "expected the four guides, found {guides}");
    assert!(blocks > 0, "no terraform code blocks in {pages:?}");
    fmt_check(&ws, &ws.dir().join("blocks"));
}

#[test]
fn guides_have_registry_front_matter() {
    let dir = repo_root().join("docs/guides");
    let mut seen = 0;
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.display();
        assert!(
            text.starts_with("---\npage_title: \""),
            "{name}: page_title first"
        );
        let front = text.split("\n---\n").next().unwrap_or_default();
        assert!(
            front.contains("\nsubcategory: \"Guides\"\n"),
            "{name}: subcategory"
        );
        assert!(
            front.contains("\ndescription: |-\n  "),
            "{name}: description"
        );
        let body = text
            .split_once("\n---\n")
            .map(|(_, b)| b)
            .unwrap_or_default();
        assert!(
            body.trim_start().starts_with("# "),
            "{name}: a title after the front matter"
        );
        seen += 1;
    }
    assert!(
        seen >= 4,
        "expected the four guides in docs/guides, found {seen}"
    );
}

// ------------------------------------------------------------------------------------------------
// Import examples
// ------------------------------------------------------------------------------------------------

/// The `terraform import ADDRESS ID` line of an import.sh.
fn cli_import(script: &str) -> Option<(String, String)> {
    script
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| line.strip_prefix("terraform import "))
        .and_then(|rest| {
            let mut words = rest.split_whitespace();
            let address = words.next()?.to_string();
            let id = words.next()?.trim_matches(['"', '\'']).to_string();
            Some((address, id))
        })
}

#[test]
fn import_examples_name_the_same_declared_object() {
    let engine = terraform_provider_proton::provider::engine();
    let to = Regex::new(r"(?m)^\s*to\s*=\s*([A-Za-z0-9_.]+)\s*$").unwrap_or_else(|e| panic!("{e}"));
    let identity_block =
        Regex::new(r"(?s)identity\s*=\s*\{(.*?)\}").unwrap_or_else(|e| panic!("{e}"));
    let pair =
        Regex::new(r#"(?m)^\s*([a-z_]+)\s*=\s*"([^"]*)"\s*$"#).unwrap_or_else(|e| panic!("{e}"));
    let mut checked = 0;
    for entry in engine.resources() {
        let type_name = entry.spec.type_name;
        if entry.spec.identity.is_empty() {
            continue;
        }
        let dir = examples_root().join("resources").join(type_name);
        let read = |name: &str| {
            fs::read_to_string(dir.join(name))
                .unwrap_or_else(|e| panic!("examples/resources/{type_name}/{name}: {e}"))
        };
        let resource_tf = without_comments(&read("resource.tf"));
        let declared = |address: &str| {
            let Some((kind, label)) = address.split_once('.') else {
                return false;
            };
            resource_tf.contains(&format!("resource \"{kind}\" \"{label}\""))
        };

        let (cli_address, id) = cli_import(&read("import.sh"))
            .unwrap_or_else(|| panic!("{type_name}: import.sh has no `terraform import` line"));
        assert!(
            cli_address.starts_with(&format!("{type_name}.")) && declared(&cli_address),
            "{type_name}: import.sh imports {cli_address}, which resource.tf does not declare"
        );

        let by_identity = without_comments(&read("import-by-identity.tf"));
        let address = to
            .captures(&by_identity)
            .map(|c| c[1].to_string())
            .unwrap_or_else(|| panic!("{type_name}: import-by-identity.tf has no `to`"));
        assert_eq!(
            address, cli_address,
            "{type_name}: both import examples name one address"
        );
        let block = identity_block
            .captures(&by_identity)
            .map(|c| c[1].to_string())
            .unwrap_or_else(|| panic!("{type_name}: import-by-identity.tf has no identity"));
        let values: BTreeMap<String, String> = pair
            .captures_iter(&block)
            .map(|c| (c[1].to_string(), c[2].to_string()))
            .collect();
        let mut names: Vec<&str> = values.keys().map(String::as_str).collect();
        let mut wanted: Vec<&str> = entry.spec.identity.to_vec();
        names.sort_unstable();
        wanted.sort_unstable();
        assert_eq!(names, wanted, "{type_name}: identity attributes");
        let joined: Vec<&str> = entry
            .spec
            .identity
            .iter()
            .map(|name| values[*name].as_str())
            .collect();
        assert_eq!(
            joined.join(":"),
            id,
            "{type_name}: identity and import ID differ"
        );
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} resources checked");
}
