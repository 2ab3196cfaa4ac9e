# A repository link is named by its provider and `owner/repository`.
import {
  to = proton_repository.templates
  identity = {
    repository_provider = "GITHUB"
    name                = "example-org/proton-templates"
  }
}
