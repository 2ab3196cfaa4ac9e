# Proton writes proton.environment.variables.tf and proton.auto.tfvars.json beside this file:
# var.environment.name and var.environment.inputs (strings) come from the environment's spec.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  default_tags {
    tags = var.proton_tags
  }
}

resource "aws_vpc" "this" {
  cidr_block           = var.environment.inputs.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags = {
    Name = var.environment.name
  }
}

resource "aws_subnet" "this" {
  vpc_id     = aws_vpc.this.id
  cidr_block = var.environment.inputs.subnet_cidr
}
