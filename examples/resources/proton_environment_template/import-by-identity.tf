# An environment template is named by its name.
import {
  to = proton_environment_template.example
  identity = {
    name = "web"
  }
}
