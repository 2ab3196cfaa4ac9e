data "proton_services" "all" {}

output "services_not_active" {
  value = [for s in data.proton_services.all.services : s.name if s.status != "ACTIVE"]
}
