data "proton_service_template" "api" {
  name = "fargate-api"
}

output "api_template_recommended_version" {
  value = data.proton_service_template.api.recommended_version
}
