data "proton_component_outputs" "logs" {
  component_name = "logs-bucket"
}

output "logs_bucket_name" {
  value = lookup(data.proton_component_outputs.logs.outputs, "bucket_name", null)
}
