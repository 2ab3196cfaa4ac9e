data "proton_environment_provisioned_resources" "prod" {
  environment_name = "prod"
}

output "prod_stacks" {
  value = [for r in data.proton_environment_provisioned_resources.prod.provisioned_resources : r.identifier]
}
