# The settings are named by their region (the provider's region).
import {
  to = proton_account_settings.this
  identity = {
    region = "us-east-1"
  }
}
