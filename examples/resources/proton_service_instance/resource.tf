# Takes over "api-production", which the service's spec created, to manage its own inputs and move
# it to a newer template version. Destroying this resource leaves the instance running: Proton has
# no API to delete one instance (drop it from the service's spec instead).
resource "proton_service_instance" "api_production" {
  service_name           = "api"
  name                   = "api-production"
  template_major_version = "2"

  spec = <<-EOT
    proton: ServiceSpec
    instances:
      - name: api-production
        environment: production
        spec:
          desired_count: 5
  EOT

  cancel_on_timeout = true
  timeouts {
    update = "1h"
  }
}
