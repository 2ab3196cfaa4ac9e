resource "proton_repository" "templates" {
  repository_provider = "GITHUB"
  name                = "example-org/proton-templates"
  connection_arn      = "arn:aws:codestar-connections:us-east-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789"

  tags = {
    team = "platform"
  }
}
