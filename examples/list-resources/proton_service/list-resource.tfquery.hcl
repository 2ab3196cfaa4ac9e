list "proton_service" "all" {
  provider         = proton
  include_resource = true
}
