data "proton_service_instance" "api_prod" {
  service_name = "api"
  name         = "prod"
}

output "api_prod_environment" {
  value = data.proton_service_instance.api_prod.environment_name
}
