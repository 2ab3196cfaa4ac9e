# A template version is imported by template name, major version and minor version.
# Proton does not report a version's source: the next apply records it from the
# configuration without replacing the version.
terraform import proton_service_template_version.v1 api:1:0
