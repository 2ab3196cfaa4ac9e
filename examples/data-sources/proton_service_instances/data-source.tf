# Failed instances in the prod environment, newest deployment first.
data "proton_service_instances" "failed_in_prod" {
  filters = [
    { key = "environmentName", value = "prod" },
    { key = "deploymentStatus", value = "FAILED" },
  ]
  sort_by    = "lastDeploymentAttemptedAt"
  sort_order = "DESCENDING"
}

output "failed_instances" {
  value = [
    for i in data.proton_service_instances.failed_in_prod.service_instances :
    "${i.service_name}/${i.name}"
  ]
}
