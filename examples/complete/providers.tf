terraform {
  required_providers {
    proton = {
      source = "proton-community/proton"
    }
  }
}

# The management account: credentials and endpoint from the environment, as for the AWS CLI.
provider "proton" {
  region = var.region

  default_tags {
    tags = {
      platform = "complete-example"
    }
  }
}

# The production (environment) account, which requests the account connection.
provider "proton" {
  alias   = "production_account"
  region  = var.region
  profile = var.production_account_profile
}
