resource "proton_environment_template" "example" {
  name         = "web"
  display_name = "Web environments"
  description  = "VPC, cluster and load balancer shared by web services"

  tags = {
    team = "platform"
  }
}

# Customer-managed: the infrastructure already exists outside Proton. An environment from this
# template takes a role and a spec holding the infrastructure's outputs; Proton provisions nothing.
# (Self-managed provisioning is chosen per environment with provisioning_repository, from a
# standard template like "web" above.)
resource "proton_environment_template" "imported" {
  name         = "web-imported"
  provisioning = "CUSTOMER_MANAGED"
}
