# An environment is imported by its name.
terraform import proton_environment.staging staging
