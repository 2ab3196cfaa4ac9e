data "proton_repository" "templates" {
  repository_provider = "GITHUB"
  name                = "my-org/proton-templates"
}

output "templates_connection" {
  value = data.proton_repository.templates.connection_arn
}
