resource "proton_service_template" "api" {
  name         = "api"
  display_name = "HTTP APIs"
  description  = "Containerised HTTP service behind a load balancer"

  tags = {
    team = "platform"
  }
}

# Services from this template get a pipeline that you provision yourself.
resource "proton_service_template" "with_pipeline" {
  name                  = "api-self-managed-pipeline"
  pipeline_provisioning = "CUSTOMER_MANAGED"
}
