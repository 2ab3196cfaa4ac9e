# A version is named by its template and both version numbers, each a
# string. The configured source is recorded by the first apply after the import.
import {
  to = proton_environment_template_version.v1
  identity = {
    template_name = "web"
    major_version = "1"
    minor_version = "0"
  }
}
