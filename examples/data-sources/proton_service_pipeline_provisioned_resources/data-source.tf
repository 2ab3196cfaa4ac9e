data "proton_service_pipeline_provisioned_resources" "api" {
  service_name = "api"
}

output "api_pipeline_resources" {
  value = data.proton_service_pipeline_provisioned_resources.api.provisioned_resources
}
