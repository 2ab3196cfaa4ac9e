resource "proton_repository" "pipelines" {
  repository_provider = "GITHUB"
  name                = "example-org/proton-pipelines"
  connection_arn      = "arn:aws:codestar-connections:us-east-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
}

# One per account and region (the provider's region). Destroying it resets the settings.
resource "proton_account_settings" "this" {
  pipeline_service_role_arn   = "arn:aws:iam::123456789012:role/proton-pipeline-service"
  pipeline_codebuild_role_arn = "arn:aws:iam::123456789012:role/proton-pipeline-codebuild"

  pipeline_provisioning_repository = {
    provider = proton_repository.pipelines.repository_provider
    name     = proton_repository.pipelines.name
    branch   = "main"
  }
}
