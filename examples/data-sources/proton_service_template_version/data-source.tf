data "proton_service_template_version" "api" {
  template_name = "fargate-api"
}

output "api_compatible_environment_templates" {
  value = data.proton_service_template_version.api.compatible_environment_templates
}
