# The instances of the "orders" service that run in the "prod" environment. Filters with
# different keys must all match; the same key given twice matches either value.
list "proton_service_instance" "orders_prod" {
  provider         = proton
  include_resource = true

  config {
    service_name = "orders"
    filters = [
      { key = "environmentName", value = "prod" },
    ]
  }
}
