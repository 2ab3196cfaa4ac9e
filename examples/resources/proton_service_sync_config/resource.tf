resource "proton_repository" "services" {
  repository_provider = "GITHUB"
  name                = "example-org/orders-service"
  connection_arn      = "arn:aws:codestar-connections:us-east-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
}

# The service "orders" takes its specification from proton/ops.yaml on main.
resource "proton_service_sync_config" "orders" {
  service_name        = "orders"
  repository_provider = proton_repository.services.repository_provider
  repository_name     = proton_repository.services.name
  branch              = "main"
  file_path           = "proton/ops.yaml"
}
