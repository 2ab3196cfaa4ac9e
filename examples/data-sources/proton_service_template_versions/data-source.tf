data "proton_service_template_versions" "api" {
  template_name = "fargate-api"
}

output "api_versions" {
  value = [
    for v in data.proton_service_template_versions.api.template_versions :
    "${v.major_version}.${v.minor_version} (${v.status})"
  ]
}
