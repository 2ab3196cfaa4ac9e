data "proton_environment" "prod" {
  name = "prod"
}

data "proton_deployment" "prod_last" {
  id = data.proton_environment.prod.last_attempted_deployment_id
}

output "prod_last_deployment" {
  value = {
    status    = data.proton_deployment.prod_last.deployment_status
    message   = data.proton_deployment.prod_last.deployment_status_message
    completed = data.proton_deployment.prod_last.completed_at
  }
}
