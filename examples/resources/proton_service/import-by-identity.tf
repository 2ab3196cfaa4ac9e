# A service is named by its name.
import {
  to = proton_service.api
  identity = {
    name = "api"
  }
}
