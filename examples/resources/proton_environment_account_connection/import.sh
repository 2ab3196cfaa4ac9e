# A connection is imported by its ID (with the environment account's provider in the configuration).
terraform import proton_environment_account_connection.production 0123abcd-0123-4567-89ab-0123456789ab
