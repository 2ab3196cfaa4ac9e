# A pipeline is named by its service.
import {
  to = proton_service_pipeline.api
  identity = {
    service_name = "api"
  }
}
