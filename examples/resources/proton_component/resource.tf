# A component attached to one service instance: an extra queue next to the instance's own
# infrastructure. The environment needs a component_role_arn and the instance's template version must
# support directly defined components.
resource "proton_component" "jobs_queue" {
  name                  = "jobs-queue"
  service_name          = "api"
  service_instance_name = "api-production"
  description           = "Queue for background jobs"

  template_file = <<-EOT
    Resources:
      Queue:
        Type: AWS::SQS::Queue
        Properties:
          VisibilityTimeout: 120
  EOT

  manifest = <<-EOT
    infrastructure:
      templates:
        - file: cloudformation.yaml
          rendering_engine: jinja
          template_language: cloudformation
  EOT

  service_spec = <<-EOT
    proton: ServiceSpec
    instances:
      - name: api-production
        environment: production
        spec:
          desired_count: 3
  EOT
}
