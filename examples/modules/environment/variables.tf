variable "name" {
  description = "Name of the environment."
  type        = string
}

variable "description" {
  description = "Description of the environment."
  type        = string
  default     = null
}

variable "template_name" {
  description = "The environment template (for example the environment-template module's name output)."
  type        = string
}

variable "template_major_version" {
  description = "Major version of the template, as a string (\"1\")."
  type        = string
}

variable "template_minor_version" {
  description = "Minor version of the template; null picks the recommended one when the environment is created or changes major version."
  type        = string
  default     = null
}

variable "spec" {
  description = "The environment's spec: a YAML document starting with `proton: EnvironmentSpec` whose `spec` holds the template's inputs."
  type        = string

  validation {
    condition     = try(yamldecode(var.spec).proton, null) == "EnvironmentSpec"
    error_message = "The spec must be a YAML document with \"proton: EnvironmentSpec\" at its top."
  }
}

variable "proton_service_role_arn" {
  description = "Role Proton provisions with in this account. Set this or environment_account_connection_id (or neither, for self-managed provisioning)."
  type        = string
  default     = null
}

variable "environment_account_connection_id" {
  description = "An accepted environment account connection: the environment is provisioned in that account."
  type        = string
  default     = null
}

variable "component_role_arn" {
  description = "Role for directly defined components; needed before components can be attached."
  type        = string
  default     = null
}

variable "provisioning_repository" {
  description = "Self-managed provisioning: the linked repository and branch Proton opens pull requests against."
  type = object({
    provider = string
    name     = string
    branch   = string
  })
  default = null
}

variable "deployment_timeout" {
  description = "How long create, update and delete wait for Proton (a duration such as \"45m\"); null keeps the provider's default (30m)."
  type        = string
  default     = null
}

variable "cancel_on_timeout" {
  description = "Cancel a deployment that outlasts deployment_timeout instead of leaving it running."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the environment (merged over the provider's default_tags)."
  type        = map(string)
  default     = {}
}
