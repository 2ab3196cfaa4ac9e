terraform {
  required_providers {
    proton = {
      source = "proton-community/proton"
    }
  }
}

# Against proton-local, the local Proton endpoint that ships with the provider
# (start it with `proton-local --listen 127.0.0.1:4599 --state proton.json`).
# proton-local accepts the key pair test/test; never put real keys in configuration.
provider "proton" {
  region     = "us-east-1"
  access_key = "test"
  secret_key = "test"

  endpoints {
    proton = "http://127.0.0.1:4599"
  }

  default_tags {
    tags = {
      managed-by = "terraform"
    }
  }

  # Tags that a cost tool or a tagging policy adds outside Terraform: never shown
  # in tags/tags_all, never planned away.
  ignore_tags {
    keys         = ["CostCenter"]
    key_prefixes = ["finops:"]
  }
}

# Against AWS Proton: leave out the keys and the endpoint, and credentials come
# from the usual chain (environment, shared profile, SSO, container or instance
# role). Optionally assume a role with them:
#
# provider "proton" {
#   region  = "us-east-1"
#   profile = "platform"
#
#   assume_role {
#     role_arn     = "arn:aws:iam::123456789012:role/terraform-proton"
#     session_name = "terraform"
#   }
#
#   default_tags {
#     tags = {
#       managed-by = "terraform"
#     }
#   }
# }
