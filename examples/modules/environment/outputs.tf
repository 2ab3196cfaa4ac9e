output "name" {
  description = "Name of the environment, available once it is deployed (service instances name it)."
  value       = proton_environment.this.name
}

output "arn" {
  description = "ARN of the environment."
  value       = proton_environment.this.arn
}

output "template_version" {
  description = "The template version deployed, as MAJOR.MINOR."
  value       = "${proton_environment.this.template_major_version}.${proton_environment.this.template_minor_version}"
}

output "last_deployment_id" {
  description = "ID of the environment's last deployment; it changes whenever an apply deploys."
  value       = proton_environment.this.last_attempted_deployment_id
}

output "deployment_status" {
  description = "Status of the last deployment (SUCCEEDED after a successful apply)."
  value       = proton_environment.this.deployment_status
}

output "account_id" {
  description = "The account the environment is provisioned in when it uses a connection (null otherwise)."
  value       = proton_environment.this.environment_account_id
}
