# In the management account: requests waiting to be accepted for the "prod" environment.
list "proton_environment_account_connection_accepter" "pending" {
  provider         = proton
  include_resource = true

  config {
    environment_name = "prod"
    statuses         = ["PENDING"]
  }
}
