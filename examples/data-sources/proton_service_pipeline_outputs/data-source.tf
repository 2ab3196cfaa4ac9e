data "proton_service_pipeline_outputs" "api" {
  service_name = "api"
}

output "api_image_repository" {
  value = lookup(data.proton_service_pipeline_outputs.api.outputs, "image_repository", null)
}
