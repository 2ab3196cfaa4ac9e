variable "name" {
  description = "Name of the environment template."
  type        = string
}

variable "display_name" {
  description = "Name shown in the Proton console."
  type        = string
  default     = null
}

variable "description" {
  description = "What environments built from this template provide."
  type        = string
  default     = null
}

variable "customer_managed" {
  description = "Whether the template is customer-managed (CUSTOMER_MANAGED): its environments describe infrastructure that already exists outside Proton and take its outputs in their spec; Proton provisions nothing. Self-managed provisioning is not a template setting: an environment chooses it with provisioning_repository. Changing it replaces the template."
  type        = bool
  default     = false
}

variable "bundle_bucket" {
  description = "S3 bucket holding the template bundles."
  type        = string
}

variable "bundle_keys" {
  description = "S3 keys of the bundles of one major version, oldest first. The first registers the major version (N.0); every further key adds a minor version to it. Add one key per release: keys added in the same apply register in parallel, so Proton may number them in any order (minor_versions says which got which)."
  type        = list(string)

  validation {
    condition     = length(var.bundle_keys) > 0 && length(distinct(var.bundle_keys)) == length(var.bundle_keys)
    error_message = "The bundle_keys list must hold at least one key, each key once."
  }
}

variable "publish" {
  description = "Publish every version (true) or leave them as drafts. Proton cannot unpublish: turning this off on published versions replaces them with new drafts."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for the template and its versions (merged over the provider's default_tags)."
  type        = map(string)
  default     = {}
}
