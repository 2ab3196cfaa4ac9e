data "proton_environment_template_versions" "web_v1" {
  template_name = "web"
  major_version = "1"
}

output "published_minor_versions" {
  value = [
    for v in data.proton_environment_template_versions.web_v1.template_versions :
    v.minor_version if v.status == "PUBLISHED"
  ]
}
