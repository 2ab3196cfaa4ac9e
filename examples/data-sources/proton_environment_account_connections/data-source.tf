# In the management account: connection requests waiting to be accepted.
data "proton_environment_account_connections" "pending" {
  requested_by = "MANAGEMENT_ACCOUNT"
  statuses     = ["PENDING"]
}

output "pending_connections" {
  value = {
    for c in data.proton_environment_account_connections.pending.environment_account_connections :
    c.id => c.environment_account_id
  }
}
