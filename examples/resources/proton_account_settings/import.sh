# The account settings are imported by their region, which must be the provider's region.
terraform import proton_account_settings.this us-east-1
