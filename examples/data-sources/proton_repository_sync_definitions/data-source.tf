data "proton_repository_sync_definitions" "templates" {
  repository_provider = "GITHUB"
  repository_name     = "my-org/proton-templates"
  sync_type           = "TEMPLATE_SYNC"
}

output "synced_templates" {
  value = [for d in data.proton_repository_sync_definitions.templates.sync_definitions : d.target]
}
