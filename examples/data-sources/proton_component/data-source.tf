data "proton_component" "logs" {
  name = "logs-bucket"
}

output "logs_component_attached_to" {
  value = data.proton_component.logs.service_instance_name
}
