# Environments still on major version 1 of the web template.
data "proton_environments" "web_v1" {
  environment_templates = [
    { template_name = "web", major_version = "1" },
  ]
}

output "environments_to_upgrade" {
  value = [for e in data.proton_environments.web_v1.environments : e.name]
}
