# Components in the "prod" environment. Proton never returns a component's manifest: add
# `manifest` to each generated resource block before planning the import.
list "proton_component" "prod" {
  provider         = proton
  include_resource = true

  config {
    environment_name = "prod"
  }
}
