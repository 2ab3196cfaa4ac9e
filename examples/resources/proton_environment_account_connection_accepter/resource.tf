# Accepts, from the management account, a connection requested by an environment account (for
# example by a different Terraform configuration). Destroying it leaves the connection connected.
resource "proton_environment_account_connection_accepter" "production" {
  id = "0123abcd-0123-4567-89ab-0123456789ab"
}
