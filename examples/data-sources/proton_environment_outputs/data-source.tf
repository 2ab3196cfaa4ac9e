data "proton_environment_outputs" "prod" {
  environment_name = "prod"
}

# Outputs by key...
output "prod_vpc_id" {
  value = data.proton_environment_outputs.prod.outputs["vpc_id"]
}

# ...or as Proton lists them.
output "prod_output_keys" {
  value = [for o in data.proton_environment_outputs.prod.output_list : o.key]
}
