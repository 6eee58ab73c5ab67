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
  runtime_env = {
    NODE_ENV             = "production"
    GOOGLE_CLOUD_PROJECT = var.project
    AUTH_MODE            = var.auth_mode
    LOG_LEVEL            = var.log_level
    MAIL_FROM            = var.mail_from
    STOCK_MANAGER_EMAIL  = var.stock_manager_email
    # The CA that signs Cloud SQL's server certificate (public, not a secret): DATABASE_URL's verify-ca checks against it.
    DATABASE_CA_CERT = google_sql_database_instance.main.server_ca_cert[0].cert
    # Telemetry starts before the Functions Framework loads any function code (Cloud Trace on Google Cloud).
    # The heap bound keeps a 256Mi instance from being killed for memory: V8 collects before it grows past it.
    NODE_OPTIONS = "--require ./dist/shared/telemetry/register.js --max-old-space-size=160"
  }

  # Header mode is only deployable behind the gateway (validation on var.auth_mode); the app's own
  # start-up check refuses header mode on Google Cloud without this acknowledgement.
  auth_env = var.auth_mode == "jwt" ? tomap({
    JWT_ISSUER         = var.jwt_issuer
    JWT_JWKS_URL       = var.jwt_jwks_url
    JWT_AUDIENCE       = var.jwt_audience
    JWT_ALGORITHMS     = var.jwt_algorithms
    JWT_CUSTOMER_CLAIM = var.jwt_customer_claim
    JWT_ADMIN_CLAIM    = var.jwt_admin_claim
    JWT_ADMIN_ROLE     = var.jwt_admin_role
    }) : tomap({
    ALLOW_HEADER_AUTH_ON_GCP = "true"
  })

  # Plain settings only some services need.
  service_env = tomap({
    # Message-IDs on the sending domain (<notification-id@domain>), as receiving systems expect.
    email     = tomap({ MESSAGE_ID_DOMAIN = regex("@([A-Za-z0-9.-]+)>?$", var.mail_from)[0] })
    payments  = tomap({ PAYMENT_PROVIDER_URL = var.payment_provider_url })
    shipments = tomap({ CARRIER_URL = var.carrier_url })
  })

  # Every credential is a Secret Manager secret, given only to the service that uses it:
  # service => { ENV_VAR = secret id }.
  service_secrets = tomap({
    email = tomap({ SMTP_URL = var.smtp_url_secret_id })
    payments = tomap({
      PAYMENT_PROVIDER_API_KEY = var.payment_provider_api_key_secret_id
      PAYMENT_WEBHOOK_SECRET   = var.payment_webhook_secret_id
    })
    shipments = tomap({ CARRIER_API_KEY = var.carrier_api_key_secret_id })
  })
  # (service, env var) pairs for the services this topology deploys.
  secret_grants = merge([
    for service, secrets in local.service_secrets : {
      for key, secret in secrets : "${service}/${key}" => { service = service, key = key, secret = secret }
    } if contains(keys(local.services), service)
  ]...)
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
    runtime         = var.function_runtime
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
    available_memory                 = local.function_scaling[each.key].memory
    available_cpu                    = local.function_scaling[each.key].cpu
    timeout_seconds                  = local.function_timeout[each.key]
    min_instance_count               = 0
    max_instance_count               = local.function_scaling[each.key].max_instances
    max_instance_request_concurrency = local.function_scaling[each.key].concurrency
    # APIs per var.api_ingress; consumers, jobs and the dead-letter recorder are internal-only
    # (Pub/Sub and Cloud Scheduler of this project are internal) and need an OIDC token (iam.tf).
    ingress_settings               = local.function_ingress[each.key]
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.runtime[each.value.service].email

    # Cloud SQL is reached on its private IP through the connector; everything else goes direct.
    vpc_connector                 = google_vpc_access_connector.main.id
    vpc_connector_egress_settings = "PRIVATE_RANGES_ONLY"

    environment_variables = merge(local.runtime_env, local.auth_env, lookup(local.service_env, each.value.service, tomap({})), {
      DB_POOL_MAX = tostring(local.function_scaling[each.key].db_pool)
      # The service module that registers this function, loaded by the Functions Framework.
      FUNCTION_SOURCE = each.value.source
    })

    secret_environment_variables {
      key        = "DATABASE_URL"
      project_id = var.project
      secret     = google_secret_manager_secret.database_url.secret_id
      version    = google_secret_manager_secret_version.database_url.version
    }

    # The service's provider credentials (SMTP, payment provider, carrier), from Secret Manager only.
    dynamic "secret_environment_variables" {
      for_each = lookup(local.service_secrets, each.value.service, tomap({}))
      content {
        key        = secret_environment_variables.key
        project_id = var.project
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  # function_overrides bypass function_scaling's validations: check the merged result.
  lifecycle {
    precondition {
      condition     = local.function_timeout[each.key] >= 10 && local.function_timeout[each.key] <= 600
      error_message = "${each.key}: timeout_seconds must be 10-600 (it is also its subscription's ack deadline)."
    }
    precondition {
      condition     = local.function_scaling[each.key].concurrency == 1 || try(tonumber(local.function_scaling[each.key].cpu), 0) >= 1
      error_message = "${each.key}: a concurrency above 1 needs at least 1 vCPU."
    }
    precondition {
      condition     = local.function_scaling[each.key].db_pool >= 1 && local.function_scaling[each.key].db_pool <= local.function_scaling[each.key].concurrency + 1
      error_message = "${each.key}: db_pool must be 1 to concurrency + 1."
    }
  }

  depends_on = [
    google_project_service.api,
    google_project_iam_member.build,
    google_secret_manager_secret_iam_member.runtime_reads_database_url,
    google_secret_manager_secret_iam_member.service_reads_its_secrets,
  ]
}
