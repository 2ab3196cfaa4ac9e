data "proton_components" "prod" {
  environment_name = "prod"
}

output "prod_components" {
  value = [for c in data.proton_components.prod.components : c.name]
}
