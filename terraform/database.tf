# Cloud SQL for PostgreSQL 17. The functions connect on the private IP (through the VPC
# connector); the public IP has no authorized networks, so only the Cloud SQL Auth Proxy
# (IAM-authorized, used by cloudbuild.yaml to migrate) can reach it. private_only drops the
# public IP altogether (org policy sql.restrictPublicIp).
resource "google_sql_database_instance" "main" {
  name                = var.db_instance_name
  database_version    = "POSTGRES_17"
  region              = var.region
  deletion_protection = var.db_deletion_protection

  settings {
    edition           = "ENTERPRISE" # PostgreSQL 16+ would default to Enterprise Plus, which needs other tiers
    tier              = var.db_tier
    availability_type = var.db_availability_type
    disk_size         = var.db_disk_size_gb
    disk_autoresize   = true

    ip_configuration {
      ipv4_enabled    = !var.private_only
      private_network = google_compute_network.main.id
      ssl_mode        = "ENCRYPTED_ONLY"
    }

    # Every instance of every function may hold its whole pool, plus the reserve (topology.tf).
    database_flags {
      name  = "max_connections"
      value = tostring(local.db_max_connections)
    }

    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
    }

    insights_config {
      query_insights_enabled = true
    }
  }

  depends_on = [google_service_networking_connection.private_services]

  lifecycle {
    precondition {
      condition     = local.db_max_connections <= local.db_connection_ceiling
      error_message = "The functions may open ${local.db_function_connections} connections (+${var.db_reserved_connections} reserved), more than ${var.db_tier} holds (${local.db_connection_ceiling} at ${var.db_memory_per_connection_mib} MiB each): lower function_scaling's max_instances or db_pool, or choose a larger db_tier."
    }
  }
}

resource "google_sql_database" "main" {
  name     = "shopflow"
  instance = google_sql_database_instance.main.name
}

resource "random_password" "db" {
  length  = 32
  special = false
}

resource "google_sql_user" "app" {
  name     = "shopflow"
  instance = google_sql_database_instance.main.name
  password = random_password.db.result
}

locals {
  db_credentials = "${google_sql_user.app.name}:${random_password.db.result}"
}

# DATABASE_URL of the functions: the private IP, TLS verified against the instance's server CA
# (sslmode=verify-ca with DATABASE_CA_CERT, functions.tf; the certificate names the instance, not
# the IP, so the chain is checked and the name is not). After a server CA rotation, apply again.
resource "google_secret_manager_secret" "database_url" {
  secret_id = "${var.name_prefix}-database-url"

  replication {
    auto {}
  }

  depends_on = [google_project_service.api]
}

resource "google_secret_manager_secret_version" "database_url" {
  secret      = google_secret_manager_secret.database_url.id
  secret_data = "postgres://${local.db_credentials}@${google_sql_database_instance.main.private_ip_address}:5432/${google_sql_database.main.name}?sslmode=verify-ca"
}

# DATABASE_URL for migrations: through a Cloud SQL Auth Proxy listening on 127.0.0.1:5432
# (the proxy encrypts the hop to the instance).
resource "google_secret_manager_secret" "migrate_database_url" {
  secret_id = "${var.name_prefix}-migrate-database-url"

  replication {
    auto {}
  }

  depends_on = [google_project_service.api]
}

resource "google_secret_manager_secret_version" "migrate_database_url" {
  secret      = google_secret_manager_secret.migrate_database_url.id
  secret_data = "postgres://${local.db_credentials}@127.0.0.1:5432/${google_sql_database.main.name}"
}
