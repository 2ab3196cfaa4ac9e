data "proton_environment_templates" "all" {}

output "environment_template_names" {
  value = [for t in data.proton_environment_templates.all.templates : t.name]
}
