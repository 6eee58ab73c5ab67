output "api_urls" {
  description = "Base URL of each service's HTTP API: its edge host when edge_domain is set, else its function URL."
  value = local.edge_enabled ? tomap({ for service, host in local.edge_hosts : service => "https://${host}" }) : tomap({
    for f in var.functions : f.service => google_cloudfunctions2_function.fn[f.name].service_config[0].uri if f.kind == "api"
  })
}

output "edge_ip" {
  description = "IP address of the edge load balancer (point *.<edge_domain> at it); null without an edge."
  value       = local.edge_enabled ? google_compute_global_address.edge[0].address : null
}

output "db_connection_budget" {
  description = "max_connections of Cloud SQL: the functions' pools at full scale plus the reserve, and the tier's ceiling."
  value = {
    functions       = local.db_function_connections
    reserved        = var.db_reserved_connections
    max_connections = local.db_max_connections
    ceiling         = local.db_connection_ceiling
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
