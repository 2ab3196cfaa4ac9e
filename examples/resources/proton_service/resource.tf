# A service from version 1 of the "api" service template, with two instances listed in its spec.
# The template has a pipeline, so the source repository is required.
resource "proton_service" "api" {
  name                   = "api"
  template_name          = "api"
  template_major_version = "1"

  repository_connection_arn = "arn:aws:codestar-connections:us-east-1:123456789012:connection/0123abcd"
  repository_id             = "example-org/api"
  branch_name               = "main"

  spec = <<-EOT
    proton: ServiceSpec
    pipeline:
      unit_tests: true
    instances:
      - name: api-staging
        environment: staging
        spec:
          desired_count: 1
      - name: api-production
        environment: production
        spec:
          desired_count: 3
  EOT

  tags = {
    app = "api"
  }
}
