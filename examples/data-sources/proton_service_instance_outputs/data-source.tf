data "proton_service_instance_outputs" "api_prod" {
  service_name          = "api"
  service_instance_name = "prod"
}

output "api_prod_url" {
  value = lookup(data.proton_service_instance_outputs.api_prod.outputs, "service_url", null)
}
