# An environment template and the versions of one major version, registered from bundles in S3 and
# published, as a platform team releases them.

locals {
  status = var.publish ? "PUBLISHED" : "DRAFT"
}

resource "proton_environment_template" "this" {
  name         = var.name
  display_name = var.display_name
  description  = var.description
  provisioning = var.customer_managed ? "CUSTOMER_MANAGED" : null
  tags         = var.tags
}

# The first bundle starts a new major version: Proton numbers it.
resource "proton_environment_template_version" "major" {
  template_name = proton_environment_template.this.name
  status        = local.status
  tags          = var.tags

  source = {
    s3 = {
      bucket = var.bundle_bucket
      key    = var.bundle_keys[0]
    }
  }
}

# Every further bundle is a minor version of that major version.
resource "proton_environment_template_version" "minor" {
  for_each = toset(slice(var.bundle_keys, 1, length(var.bundle_keys)))

  template_name = proton_environment_template.this.name
  major_version = proton_environment_template_version.major.major_version
  status        = local.status
  tags          = var.tags

  source = {
    s3 = {
      bucket = var.bundle_bucket
      key    = each.key
    }
  }
}

locals {
  versions = merge(
    { (var.bundle_keys[0]) = proton_environment_template_version.major },
    proton_environment_template_version.minor,
  )
}
