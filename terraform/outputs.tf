output "api_urls" {
  description = "Base URL of each service's HTTP API."
  value = {
    for f in var.functions : f.service => google_cloudfunctions2_function.fn[f.name].service_config[0].uri if f.kind == "api"
  }
}

output "function_urls" {
  description = "URL of every function (consumers and jobs need an OIDC token)."
  value       = { for name, fn in google_cloudfunctions2_function.fn : name => fn.service_config[0].uri }
}

output "database_connection_name" {
  description = "Cloud SQL instance connection name (for the Cloud SQL Auth Proxy)."
  value       = google_sql_database_instance.main.connection_name
}

output "database_private_ip" {
  description = "Private IP the functions connect to."
  value       = google_sql_database_instance.main.private_ip_address
}

output "source_archive" {
  description = "The uploaded function source archive."
  value       = "gs://${google_storage_bucket.source.name}/${google_storage_bucket_object.source.name}"
}

output "runtime_service_accounts" {
  description = "Runtime service account of each service."
  value       = { for name, sa in google_service_account.runtime : name => sa.email }
}
