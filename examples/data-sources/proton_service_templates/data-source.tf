data "proton_service_templates" "all" {}

output "templates_with_pipelines" {
  value = [
    for t in data.proton_service_templates.all.templates :
    t.name if t.pipeline_provisioning == null
  ]
}
