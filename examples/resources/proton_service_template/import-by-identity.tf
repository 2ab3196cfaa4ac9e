# A service template is named by its name.
import {
  to = proton_service_template.api
  identity = {
    name = "api"
  }
}
