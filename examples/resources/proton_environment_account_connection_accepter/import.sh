# An accepter is imported by the connection's ID.
terraform import proton_environment_account_connection_accepter.production 0123abcd-0123-4567-89ab-0123456789ab
