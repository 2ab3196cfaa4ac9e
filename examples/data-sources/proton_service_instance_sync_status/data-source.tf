data "proton_service_instance_sync_status" "api_prod" {
  service_name          = "api"
  service_instance_name = "prod"
}

output "api_prod_sync" {
  value = try(data.proton_service_instance_sync_status.api_prod.latest_sync.status, null)
}
