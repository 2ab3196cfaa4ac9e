data "proton_environment_account_connection" "prod" {
  id = "a1b2c3d4-5678-90ab-cdef-1234567890ab"
}

output "prod_connection_status" {
  value = data.proton_environment_account_connection.prod.status
}
