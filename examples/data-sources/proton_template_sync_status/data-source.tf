data "proton_template_sync_status" "web" {
  template_name    = "web"
  template_type    = "ENVIRONMENT"
  template_version = "1"
}

output "web_template_synced_commit" {
  value = try(data.proton_template_sync_status.web.latest_successful_sync.target_revision.sha, null)
}
