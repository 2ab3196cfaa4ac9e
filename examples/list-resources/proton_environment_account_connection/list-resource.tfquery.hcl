# Run with the environment account's credentials: the connection requests this account made that
# are connected.
list "proton_environment_account_connection" "connected" {
  provider         = proton
  include_resource = true

  config {
    statuses = ["CONNECTED"]
  }
}
