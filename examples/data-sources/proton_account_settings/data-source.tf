data "proton_account_settings" "current" {}

output "pipeline_role" {
  value = data.proton_account_settings.current.pipeline_service_role_arn
}
