data "proton_resources_summary" "current" {}

output "environments_behind_recommended" {
  value = sum([
    coalesce(data.proton_resources_summary.current.environments.behind_major, 0),
    coalesce(data.proton_resources_summary.current.environments.behind_minor, 0),
  ])
}
