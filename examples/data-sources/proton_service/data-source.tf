data "proton_service" "api" {
  name = "api"
}

output "api_status" {
  value = data.proton_service.api.status
}

output "api_pipeline_status" {
  value = try(data.proton_service.api.pipeline.deployment_status, null)
}
