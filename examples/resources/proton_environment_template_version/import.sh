# A template version is imported by template name, major version and minor version.
# Proton does not report a version's source: the next apply records it from the
# configuration without replacing the version.
terraform import proton_environment_template_version.v1 web:1:0
