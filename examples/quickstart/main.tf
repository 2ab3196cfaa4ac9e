# A first Proton configuration. scripts/quickstart.sh applies it against proton-local;
# against real AWS, drop the endpoint variable and use your usual credentials.

terraform {
  required_providers {
    proton = {
      source = "proton-community/proton"
    }
  }
}

# Region, credentials and endpoint come from the environment (AWS_REGION, AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL_PROTON), as with the AWS CLI.
provider "proton" {
  region = "us-east-1"

  default_tags {
    tags = {
      managed-by = "terraform"
    }
  }
}

resource "proton_environment_template" "quickstart" {
  name         = "quickstart-env"
  display_name = "Quickstart environments"
  description  = "Environment template created by the quickstart"

  tags = {
    project = "quickstart"
  }
}

output "environment_template_arn" {
  description = "ARN of the environment template."
  value       = proton_environment_template.quickstart.arn
}

output "environment_template_recommended_version" {
  description = "Recommended published version (null until a version is published)."
  value       = proton_environment_template.quickstart.recommended_version
}

output "environment_template_tags_all" {
  description = "Tags on the template, provider default_tags included."
  value       = proton_environment_template.quickstart.tags_all
}
