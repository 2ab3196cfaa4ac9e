# The defaults fit proton-local started with both accounts:
#   proton-local --account test:test:000000000000 --account envkey:envsecret:111111111111

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "management_account_id" {
  description = "The account holding the templates, environments and services."
  type        = string
  default     = "000000000000"
}

variable "production_account_id" {
  description = "The environment account where the production environment is provisioned."
  type        = string
  default     = "111111111111"
}

variable "production_account_profile" {
  description = "Shared-configuration profile with credentials for the production account."
  type        = string
  default     = "production"
}

variable "bundle_bucket" {
  description = "S3 bucket holding the template bundles."
  type        = string
  default     = "proton-bundles"
}

variable "environment_tier" {
  description = "An input of the environments' spec (development, staging or production): changing it redeploys them (CURRENT_VERSION)."
  type        = string
  default     = "development"
}

variable "environment_minor_version" {
  description = "Minor version of the web environment template: changing it upgrades the staging environment (MINOR_VERSION)."
  type        = string
  default     = "0"
}
