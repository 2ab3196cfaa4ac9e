# The pipeline Proton created with the "api" service, with its own inputs. Destroying this resource
# leaves the pipeline to its service.
resource "proton_service_pipeline" "api" {
  service_name = "api"

  spec = <<-EOT
    proton: ServiceSpec
    pipeline:
      unit_tests: true
      integration_tests: true
  EOT
}
