resource "proton_environment_template" "example" {
  name         = "web"
  display_name = "Web environments"
  description  = "VPC, cluster and load balancer shared by web services"

  tags = {
    team = "platform"
  }
}

# Environments from this template are provisioned by your own pipeline
# (self-managed provisioning) rather than by Proton.
resource "proton_environment_template" "self_managed" {
  name         = "web-self-managed"
  provisioning = "CUSTOMER_MANAGED"
}
