data "proton_environment" "prod" {
  name = "prod"
}

output "prod_template_version" {
  value = "${data.proton_environment.prod.template_major_version}.${data.proton_environment.prod.template_minor_version}"
}
