# Outputs that name the template wait for every version: whatever is built from them (environments,
# compatible service template versions) is created after the versions are published and destroyed
# before they are deleted, which Proton requires.

output "name" {
  description = "Name of the template, available once every version is registered."
  value       = proton_environment_template.this.name
  depends_on  = [proton_environment_template_version.major, proton_environment_template_version.minor]
}

output "arn" {
  description = "ARN of the template."
  value       = proton_environment_template.this.arn
}

output "major_version" {
  description = "The major version the bundles were registered in, as a string (\"1\")."
  value       = proton_environment_template_version.major.major_version
  depends_on  = [proton_environment_template_version.minor]
}

output "minor_versions" {
  description = "Minor version of each bundle, by S3 key."
  value       = { for key, version in local.versions : key => version.minor_version }
}

output "latest_minor_version" {
  description = "The highest minor version registered, as a string."
  value       = tostring(max([for version in values(local.versions) : tonumber(version.minor_version)]...))
}
