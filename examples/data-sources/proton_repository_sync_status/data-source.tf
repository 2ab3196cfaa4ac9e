data "proton_repository_sync_status" "templates" {
  repository_provider = "GITHUB"
  repository_name     = "my-org/proton-templates"
  branch              = "main"
  sync_type           = "TEMPLATE_SYNC"
}

output "templates_last_sync" {
  value = try(data.proton_repository_sync_status.templates.latest_sync.status, "never synced")
}
