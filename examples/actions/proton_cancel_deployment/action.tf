# Cancel the deployment running on the "prod" environment:
#   terraform apply -invoke=action.proton_cancel_deployment.prod
action "proton_cancel_deployment" "prod" {
  config {
    environment_name = "prod"
    timeout          = "20m"
  }
}

# The same for a service instance; `service_pipeline` and `component_name` name the other targets.
action "proton_cancel_deployment" "orders_prod" {
  config {
    service_instance = {
      service_name = "orders"
      name         = "orders-prod"
    }
  }
}
