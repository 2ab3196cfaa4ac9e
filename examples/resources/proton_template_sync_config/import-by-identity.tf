# A template sync configuration is named by its template's name and
# type (`ENVIRONMENT` or `SERVICE`).
import {
  to = proton_template_sync_config.web
  identity = {
    template_name = "web"
    template_type = "ENVIRONMENT"
  }
}
