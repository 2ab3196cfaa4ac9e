resource "proton_service_template" "api" {
  name         = "api"
  display_name = "HTTP APIs"
  description  = "Containerised HTTP service behind a load balancer"

  tags = {
    team = "platform"
  }
}

# Without pipeline_provisioning, services from a template get a pipeline that Proton provides
# (like "api" above). CUSTOMER_MANAGED: its services get no Proton pipeline; you run your own CI/CD.
resource "proton_service_template" "without_pipeline" {
  name                  = "api-own-ci"
  pipeline_provisioning = "CUSTOMER_MANAGED"
}
