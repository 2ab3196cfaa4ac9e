data "proton_service_sync_blocker_summary" "api" {
  service_name = "api"
}

output "active_sync_blockers" {
  value = [
    for b in data.proton_service_sync_blocker_summary.api.latest_blockers :
    { id = b.id, reason = b.created_reason } if b.status == "ACTIVE"
  ]
}
