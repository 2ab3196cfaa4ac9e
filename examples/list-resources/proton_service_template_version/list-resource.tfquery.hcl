# Every version of the "fargate-service" service template.
list "proton_service_template_version" "fargate" {
  provider         = proton
  include_resource = true

  config {
    template_name = "fargate-service"
  }
}
