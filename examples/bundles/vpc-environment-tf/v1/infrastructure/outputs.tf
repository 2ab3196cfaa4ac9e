output "vpc_id" {
  description = "The VPC services deploy into."
  value       = aws_vpc.this.id
}

output "subnet_id" {
  value = aws_subnet.this.id
}
