# A service template is imported by its name.
terraform import proton_service_template.api api
