terraform {
  required_version = ">= 1.0"

  required_providers {
    proton = {
      source = "proton-community/proton"
    }
  }
}
