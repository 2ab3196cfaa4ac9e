data "proton_component_provisioned_resources" "logs" {
  component_name = "logs-bucket"
}

output "logs_resources" {
  value = data.proton_component_provisioned_resources.logs.provisioned_resources
}
