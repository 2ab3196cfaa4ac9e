data "proton_deployments" "prod" {
  environment_name = "prod"
}

output "prod_recent_deployments" {
  value = [for d in slice(data.proton_deployments.prod.deployments, 0, min(5, length(data.proton_deployments.prod.deployments))) : "${d.id} ${d.deployment_status}"]
}
