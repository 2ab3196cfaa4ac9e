# A service instance is imported by "service_name:name".
terraform import proton_service_instance.api_production api:api-production
