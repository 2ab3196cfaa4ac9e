# A service sync configuration is imported by the service's name.
terraform import proton_service_sync_config.orders orders
