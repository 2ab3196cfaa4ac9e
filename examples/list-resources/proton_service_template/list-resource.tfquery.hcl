list "proton_service_template" "all" {
  provider         = proton
  include_resource = true
}
