data "proton_service_instance_provisioned_resources" "api_prod" {
  service_name          = "api"
  service_instance_name = "prod"
}

output "api_prod_resources" {
  value = data.proton_service_instance_provisioned_resources.api_prod.provisioned_resources
}
