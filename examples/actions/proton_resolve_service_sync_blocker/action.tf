data "proton_service_sync_blocker_summary" "orders" {
  service_name = "orders"
}

# Resolve the newest blocker once the failed sync deployment's cause is fixed:
#   terraform apply -invoke=action.proton_resolve_service_sync_blocker.orders
action "proton_resolve_service_sync_blocker" "orders" {
  config {
    id              = data.proton_service_sync_blocker_summary.orders.latest_blockers[0].id
    resolved_reason = "Fixed the container health check in orders.yaml"
  }
}
