# An accepter is named by the ID of the connection it accepted.
import {
  to = proton_environment_account_connection_accepter.production
  identity = {
    id = "0123abcd-0123-4567-89ab-0123456789ab"
  }
}
