resource "proton_repository" "templates" {
  repository_provider = "GITHUB"
  name                = "example-org/proton-templates"
  connection_arn      = "arn:aws:codestar-connections:us-east-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
}

resource "proton_environment_template" "web" {
  name = "web"
}

# New commits under environments/web on main register new versions of "web".
resource "proton_template_sync_config" "web" {
  template_name       = proton_environment_template.web.name
  template_type       = "ENVIRONMENT"
  repository_provider = proton_repository.templates.repository_provider
  repository_name     = proton_repository.templates.name
  branch              = "main"
  subdirectory        = "environments/web"
}
