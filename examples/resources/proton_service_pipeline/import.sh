# A service pipeline is imported by its service's name.
terraform import proton_service_pipeline.api api
