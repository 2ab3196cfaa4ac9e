# A service is imported by its name. The template version it was created with is taken from its
# lowest deployed version (pipeline or instance).
terraform import proton_service.api api
