# An environment template is imported by its name.
terraform import proton_environment_template.example web
