variable "environment_arn" {
  type        = string
  description = "ARN of the self-managed environment whose deployment your pipeline finished."
}

variable "vpc_id" {
  type = string
}

# After your own pipeline applied the infrastructure Proton rendered into a pull request:
#   terraform apply -invoke=action.proton_notify_resource_deployment_status_change.done
action "proton_notify_resource_deployment_status_change" "done" {
  config {
    resource_arn = var.environment_arn
    status       = "SUCCEEDED"
    outputs = {
      vpc_id = var.vpc_id
    }
  }
}
