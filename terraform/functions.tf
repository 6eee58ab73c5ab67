# One source archive for every function: the bundle cloudbuild.yaml stages (compiled dist/,
# package.json, package-lock.json and a root index.js), zipped and uploaded under its content hash,
# so the functions are rebuilt exactly when the code changes.
data "archive_file" "source" {
  type        = "zip"
  source_dir  = var.source_dir
  output_path = "${path.module}/../dist/deploy/function-source.zip"
}

resource "google_storage_bucket" "source" {
  name                        = "${var.project}-${var.name_prefix}-functions-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
}

resource "google_storage_bucket_object" "source" {
  name   = "function-source-${data.archive_file.source.output_md5}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.source.output_path
}

locals {
  runtime_env = merge(
    {
      NODE_ENV             = "production"
      GOOGLE_CLOUD_PROJECT = var.project
      AUTH_MODE            = "jwt"
      JWT_ISSUER           = var.jwt_issuer
      JWT_JWKS_URL         = var.jwt_jwks_url
      JWT_CUSTOMER_CLAIM   = var.jwt_customer_claim
      JWT_ADMIN_ROLE       = var.jwt_admin_role
      DB_POOL_MAX          = tostring(var.db_pool_max)
      LOG_LEVEL            = var.log_level
      MAIL_FROM            = var.mail_from
      STOCK_MANAGER_EMAIL  = var.stock_manager_email
      # Telemetry starts before the Functions Framework loads any function code (Cloud Trace on Google Cloud).
      NODE_OPTIONS = "--require ./dist/shared/telemetry/register.js"
    },
    var.jwt_audience == "" ? {} : { JWT_AUDIENCE = var.jwt_audience },
  )
}

resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions

  name        = each.key
  location    = var.region
  description = "ShopFlow ${each.value.service}: ${each.value.kind} function"
  labels = {
    app     = var.name_prefix
    service = each.value.service
    kind    = each.value.kind
  }

  build_config {
    runtime         = "nodejs20"
    entry_point     = each.value.entry_point
    service_account = google_service_account.build.id
    # The bundle is already compiled: install production dependencies only, run no npm scripts.
    environment_variables = {
      GOOGLE_NODE_RUN_SCRIPTS = ""
    }
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory               = var.function_memory
    timeout_seconds                = var.function_timeout_seconds
    min_instance_count             = 0
    max_instance_count             = var.function_max_instances
    ingress_settings               = "ALLOW_ALL" # consumers and jobs still require an OIDC token (IAM below)
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.runtime[each.value.service].email

    # Cloud SQL is reached on its private IP through the connector; everything else goes direct.
    vpc_connector                 = google_vpc_access_connector.main.id
    vpc_connector_egress_settings = "PRIVATE_RANGES_ONLY"

    environment_variables = merge(local.runtime_env, {
      # The service module that registers this function, loaded by the Functions Framework.
      FUNCTION_SOURCE = each.value.source
    })

    secret_environment_variables {
      key        = "DATABASE_URL"
      project_id = var.project
      secret     = google_secret_manager_secret.database_url.secret_id
      version    = google_secret_manager_secret_version.database_url.version
    }

    # Only the email service talks SMTP; its credentials stay in Secret Manager.
    dynamic "secret_environment_variables" {
      for_each = each.value.service == "email" ? [var.smtp_url_secret_id] : []
      content {
        key        = "SMTP_URL"
        project_id = var.project
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_project_service.api,
    google_project_iam_member.build,
    google_secret_manager_secret_iam_member.runtime_reads_database_url,
    google_secret_manager_secret_iam_member.email_reads_smtp_url,
  ]
}
