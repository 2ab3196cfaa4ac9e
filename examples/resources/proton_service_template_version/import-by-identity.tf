# A version is named by its template and both version numbers, each a
# string. The configured source is recorded by the first apply after the import.
import {
  to = proton_service_template_version.v1
  identity = {
    template_name = "api"
    major_version = "1"
    minor_version = "0"
  }
}
