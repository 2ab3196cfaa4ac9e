# A service sync configuration is named by its service.
import {
  to = proton_service_sync_config.orders
  identity = {
    service_name = "orders"
  }
}
