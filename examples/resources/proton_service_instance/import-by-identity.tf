# A service instance is named by its service and its own name.
import {
  to = proton_service_instance.api_production
  identity = {
    service_name = "api"
    name         = "api-production"
  }
}
