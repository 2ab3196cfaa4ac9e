# A template sync configuration is imported by template name and type.
terraform import proton_template_sync_config.web web:ENVIRONMENT
