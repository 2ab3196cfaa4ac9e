list "proton_repository" "all" {
  provider         = proton
  include_resource = true
}
