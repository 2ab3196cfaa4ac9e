# An environment is named by its name.
import {
  to = proton_environment.staging
  identity = {
    name = "staging"
  }
}
