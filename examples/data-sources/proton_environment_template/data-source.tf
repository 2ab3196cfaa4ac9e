data "proton_environment_template" "example" {
  name = "web"
}

output "web_template_recommended_version" {
  description = "The version new environments of the web template should use."
  value       = data.proton_environment_template.example.recommended_version
}
