//! The provider's page, `docs/index.md`: the provider block's arguments and the hand-written sections.

use std::path::Path;

use terraform_provider_proton::engine::Engine;

use crate::DocsError;
use crate::arguments::{Kind, push_arguments};
use crate::examples::{PROVIDER_SKELETON, example_or};
use crate::page::Page;

pub(crate) fn render_index(
    engine: &Engine,
    examples: &Path,
    missing: &mut Vec<String>,
) -> Result<String, DocsError> {
    let block = &engine.provider_schema().block;
    let mut page = Page::titled("Provider: Proton", None, INDEX_SUMMARY, "# Proton Provider");
    page.push(INDEX_INTRO);

    let example = example_or(examples, "provider/provider.tf", missing, || {
        PROVIDER_SKELETON.to_string()
    })?;
    page.push_example(&example);

    page.push("## proton-local");
    page.push(PROTON_LOCAL);
    page.push("## Authentication and Configuration");
    page.push(AUTHENTICATION);
    page.push("## Private Certificate Authorities");
    page.push(PRIVATE_CAS);
    page.push("## Default Tags");
    page.push(DEFAULT_TAGS);
    page.push("## Ignoring Tags");
    page.push(IGNORE_TAGS);
    page.push("## Settings Known Only After Apply");
    page.push(UNKNOWN_SETTINGS);
    page.push("## Terraform and OpenTofu Versions");
    page.push(CLIENTS);

    page.push("## Argument Reference");
    push_arguments(&mut page, block, Kind::Provider);
    Ok(page.finish())
}

// ---------------------------------------------------------------------------------------------------
// Hand-written parts of the index page

const INDEX_SUMMARY: &str = "The Proton provider manages AWS Proton templates, environments, services \
    and their deployments with Terraform and OpenTofu, against AWS or against proton-local.";

const INDEX_INTRO: &str = "Use the Proton provider to manage [AWS Proton](https://docs.aws.amazon.com/proton/) \
with Terraform or OpenTofu: environment and service templates and their versions, environments, services, \
service instances and pipelines, components, repositories and sync configurations. Resources that start a \
deployment wait for it to finish, show a failed deployment as an error and keep the object in state \
(tainted), and can be imported by ID or, with Terraform 1.12 and later, by resource identity.

The provider ships with **proton-local**, a local Proton endpoint. AWS stopped accepting new Proton \
customers on 2025-10-07 and ends support on 2026-10-07; proton-local keeps Proton configurations \
plannable and testable offline, in CI, and while migrating away.";

const PROTON_LOCAL: &str = "proton-local speaks Proton's API (the same JSON protocol and SigV4 signing \
the AWS CLI and SDKs use), keeps its state in a file, and runs deployments, template registrations and \
deletions with a configurable delay. Start it and point the provider at it:

```shell
proton-local --listen 127.0.0.1:4599 --state proton.json
```

Then either set `endpoints { proton = \"http://127.0.0.1:4599\" }` in the provider block, as in the \
example above, or export `AWS_ENDPOINT_URL_PROTON=http://127.0.0.1:4599`. proton-local accepts the key \
pair `test` / `test` (account `000000000000`) unless started with other `--account` pairs, and any region.";

const AUTHENTICATION: &str = "Credentials are looked up in this order; the first source that yields \
credentials is used:

1. `access_key` and `secret_key` (and `token` for temporary credentials) in the provider block.
2. The environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
3. The shared configuration and credentials files (`~/.aws/config`, `~/.aws/credentials`, or the files \
named in `shared_config_files` and `shared_credentials_files`), for the profile named by `profile` or \
`AWS_PROFILE` (else `default`). Profiles may use IAM Identity Center (SSO), `credential_process`, or \
`role_arn` with a source profile.
4. A web identity token (`AWS_WEB_IDENTITY_TOKEN_FILE` with `AWS_ROLE_ARN`), as on EKS.
5. Container credentials (an ECS task role).
6. The EC2 instance profile, from the instance metadata service.

With an `assume_role` block, the credentials found are then used to assume that role, and the provider \
acts as the role.

The region comes from `region`, else `AWS_REGION` or `AWS_DEFAULT_REGION`, else the profile's region. \
The Proton endpoint comes from `endpoints.proton`, else `AWS_ENDPOINT_URL_PROTON`, else AWS's endpoint \
for the region.

The provider checks its configuration before calling any API: a missing region, or credentials that \
cannot be resolved (unless `skip_credentials_validation` is set), is an error when the provider is \
configured, and invalid arguments are reported by `terraform validate` and `terraform plan` with the \
attribute they concern.

Hard-coding credentials in configuration is not recommended outside proton-local: they end up in \
version control and in plan files.";

const PRIVATE_CAS: &str = "Calls to AWS over HTTPS (Proton, and STS or IAM Identity Center for \
credentials) trust the system's root certificates. To also trust a private certificate authority, such as \
a TLS-inspecting proxy's or that of an endpoint with an internal certificate, name a PEM file of its \
certificates; the first of these that is set is used:

1. `custom_ca_bundle` in the provider block.
2. The `AWS_CA_BUNDLE` environment variable, as for the AWS CLI.
3. `ca_bundle` in the selected profile of the shared configuration file.

The certificates are added to the system's roots, not used instead of them. A relative path is relative \
to the directory Terraform runs in, and `~` is not expanded (use `pathexpand(\"~/ca.pem\")`). The file is \
read when the provider is configured: a missing or unreadable file, one without a PEM certificate (convert \
DER first, e.g. `openssl x509 -inform der -in ca.der -out ca.pem`), or a certificate that cannot serve as \
an authority is an error before any API call. A call to an endpoint whose certificate none of these trust \
fails at once, not after `max_retries`, with `invalid peer certificate` and the reason (e.g. `UnknownIssuer`).

```terraform
provider \"proton\" {
  region           = \"us-east-1\"
  custom_ca_bundle = \"${path.root}/corporate-ca.pem\"
}
```

`SSL_CERT_FILE` (a PEM file) or `SSL_CERT_DIR` (a directory of them) in Terraform's environment replace the \
platform's certificate store as the source of the system's roots, as with OpenSSL; a CA bundle is still \
added to them. None of this applies to a plain `http://` endpoint such as proton-local's.";

const DEFAULT_TAGS: &str = "Tags in the provider's `default_tags` block are set on every resource that \
takes tags. A resource's own `tags` win over a default tag with the same key, and each such resource \
reports the merged set in its `tags_all` attribute. Changing `default_tags` updates the tags of every \
resource in place; nothing is re-created.

```terraform
provider \"proton\" {
  default_tags {
    tags = {
      team        = \"platform\"
      cost-center = \"1234\"
    }
  }
}
```";

const IGNORE_TAGS: &str = "Tags that something outside Terraform adds (a cost tool, a tagging policy, \
another team) would otherwise show as drift and be removed by the next apply. Name them in \
`ignore_tags`, as with the hashicorp/aws provider: tags whose key is in `keys` or starts with one of \
`key_prefixes` are left out of every resource's `tags` and `tags_all` and every data source's `tags`, \
never planned, and never set or removed by the provider. Keys starting with `aws:` are reserved by AWS (Proton adds `aws:proton:*` tags \
itself): they are always ignored, and a configuration that sets one is refused.

```terraform
provider \"proton\" {
  ignore_tags {
    keys         = [\"CostCenter\"]
    key_prefixes = [\"finops:\"]
  }
}
```";

const UNKNOWN_SETTINGS: &str = "A provider setting may come from another resource (a `region` read from an \
ARN, an endpoint, a role). While that resource is still to be created or replaced, the setting is unknown, \
and the provider never replaces it with a default such as `AWS_REGION`: planning new objects still works \
(their `tags_all` is then unknown), but reading existing objects or data sources is refused with an error \
that names the settings. Apply what they depend on first (`terraform apply -target=...`), or give them \
values known at plan time. A Terraform that accepts deferred changes (`-allow-deferral`, experimental \
builds only) gets that work deferred to a later plan instead.";

const CLIENTS: &str = "The provider speaks plugin protocol 6 and works with Terraform 1.0 and later; \
each feature needs the Terraform that introduced it: `import` blocks 1.5, import by resource identity \
1.12, `terraform query` list resources and actions (`-invoke`, `action_trigger`) 1.14. The tests run \
every resource on Terraform 1.15.5 and 1.0.3.

OpenTofu starts the provider the same way and plans, applies, refreshes and imports by ID (with `import` \
blocks from OpenTofu 1.6) as Terraform does. What OpenTofu's client never asks for is unavailable there: \
list resources (it has no `terraform query`), actions (no `-invoke`, no `action_trigger`), import by \
resource identity, and the provider's own generated configuration (`GenerateResourceConfig`; \
`-generate-config-out` writes configuration from the imported state instead, so review arguments Proton \
never returns, such as a template version's `source` or a component's `manifest`). Where the test suite \
finds OpenTofu on `PATH` it runs it too, and skips those features for it with the reason.";
