# A repository link is imported by provider and name (owner/repository).
terraform import proton_repository.templates GITHUB:example-org/proton-templates
