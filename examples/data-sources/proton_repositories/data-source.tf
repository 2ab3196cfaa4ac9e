data "proton_repositories" "all" {}

output "linked_repositories" {
  value = [for r in data.proton_repositories.all.repositories : "${r.repository_provider}:${r.name}"]
}
