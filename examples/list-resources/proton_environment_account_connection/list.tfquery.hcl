# In the environment account: the connection requests this account made that are connected.
list "proton_environment_account_connection" "connected" {
  provider         = proton.environment_account
  include_resource = true

  config {
    statuses = ["CONNECTED"]
  }
}
