# The environment's parameters, from proton-inputs.tfvars (CodeBuild inputs are strings).
variable "environment" {
  type = object({
    name   = string
    inputs = map(string)
  })
}

# A real bundle declares its provider, state backend and resources here (an S3 bucket with a
# lifecycle rule, for example); this one computes names only, so it runs anywhere.
locals {
  store_name = "${var.environment.inputs.name_prefix}-${var.environment.name}-artifacts"
}

output "StoreName" {
  value = local.store_name
}

output "RetentionDays" {
  value = var.environment.inputs.retention_days
}
