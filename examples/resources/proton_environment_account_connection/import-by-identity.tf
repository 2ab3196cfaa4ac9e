# A connection is named by its ID. The resource must use the
# environment account's provider, as in the example above.
import {
  to = proton_environment_account_connection.production
  identity = {
    id = "0123abcd-0123-4567-89ab-0123456789ab"
  }
}
