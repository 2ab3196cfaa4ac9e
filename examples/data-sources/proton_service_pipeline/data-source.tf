data "proton_service_pipeline" "api" {
  service_name = "api"
}

output "api_pipeline_version" {
  value = "${data.proton_service_pipeline.api.template_major_version}.${data.proton_service_pipeline.api.template_minor_version}"
}
