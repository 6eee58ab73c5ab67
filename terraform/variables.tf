# ---------------------------------------------------------------------------------------------
# Deployment settings (set per environment: -var, TF_VAR_*, or a *.tfvars file)
# ---------------------------------------------------------------------------------------------

variable "project" {
  description = "Google Cloud project id to deploy into (also GOOGLE_CLOUD_PROJECT of every function)."
  type        = string
}

variable "region" {
  description = "Region for functions, Cloud SQL, the VPC connector and Cloud Scheduler."
  type        = string
  default     = "europe-west1"
}

variable "name_prefix" {
  description = "Prefix of service accounts, secrets, the network and other project-wide names."
  type        = string
  default     = "shopflow"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,7}$", var.name_prefix))
    error_message = "name_prefix must be 2-8 lowercase letters/digits (service account ids are <prefix>-<service>, at most 30 characters)."
  }
}

variable "source_dir" {
  description = "The staged deployment bundle (built dist/, package.json, package-lock.json, index.js) that every function is built from."
  type        = string
  default     = "../dist/deploy/bundle"
}

variable "jwt_issuer" {
  description = "Issuer (iss) of the bearer tokens the APIs accept (AUTH_MODE=jwt)."
  type        = string
}

variable "jwt_jwks_url" {
  description = "JWKS URL the APIs verify bearer tokens against."
  type        = string

  validation {
    condition     = can(regex("^https://", var.jwt_jwks_url))
    error_message = "jwt_jwks_url must be an https URL."
  }
}

variable "jwt_audience" {
  description = "Expected audience (aud) of bearer tokens; empty to not check it."
  type        = string
  default     = ""
}

variable "jwt_customer_claim" {
  description = "Token claim that holds the customer id."
  type        = string
  default     = "sub"
}

variable "jwt_admin_role" {
  description = "Role that makes a token an admin identity."
  type        = string
  default     = "admin"
}

variable "log_level" {
  description = "LOG_LEVEL of every function."
  type        = string
  default     = "info"
}

variable "function_memory" {
  description = "Memory of each function instance."
  type        = string
  default     = "512Mi"
}

variable "function_timeout_seconds" {
  description = "Request timeout of each function."
  type        = number
  default     = 60
}

variable "function_max_instances" {
  description = "Upper bound on instances per function (each holds up to db_pool_max database connections)."
  type        = number
  default     = 5
}

variable "db_pool_max" {
  description = "DB_POOL_MAX: database connections per function instance."
  type        = number
  default     = 2
}

variable "db_instance_name" {
  description = "Cloud SQL instance name (cloudbuild.yaml's _DB_INSTANCE must match)."
  type        = string
  default     = "shopflow"
}

variable "db_tier" {
  description = "Cloud SQL machine tier (Enterprise edition)."
  type        = string
  default     = "db-custom-1-3840"
}

variable "db_availability_type" {
  description = "ZONAL, or REGIONAL for a high-availability standby."
  type        = string
  default     = "ZONAL"

  validation {
    condition     = contains(["ZONAL", "REGIONAL"], var.db_availability_type)
    error_message = "db_availability_type must be ZONAL or REGIONAL."
  }
}

variable "db_max_connections" {
  description = "PostgreSQL max_connections; keep above functions x function_max_instances x db_pool_max."
  type        = number
  default     = 200
}

variable "db_disk_size_gb" {
  description = "Initial Cloud SQL disk size (it grows automatically)."
  type        = number
  default     = 10
}

variable "db_deletion_protection" {
  description = "Protect the Cloud SQL instance from terraform destroy."
  type        = bool
  default     = true
}

variable "vpc_connector_cidr" {
  description = "Unused /28 range for the Serverless VPC Access connector."
  type        = string
  default     = "10.8.0.0/28"
}

variable "alert_email" {
  description = "Where alerts (dead-lettered messages, stuck subscriptions) are sent; empty for no alerting."
  type        = string
  default     = ""
}

# ---------------------------------------------------------------------------------------------
# Topology: generated from shared/topology.ts into topology.auto.tfvars.json by
# `npm run topology:terraform` (a unit test fails when the file is stale). Do not edit by hand.
# ---------------------------------------------------------------------------------------------

variable "services" {
  description = "Services; has_api means the service has an HTTP API function named <service>-api."
  type = list(object({
    name    = string
    has_api = bool
  }))
}

variable "functions" {
  description = "Every function: its service, kind, entry point and source module (FUNCTION_SOURCE)."
  type = list(object({
    name        = string
    service     = string
    kind        = string
    entry_point = string
    source      = string
  }))

  validation {
    condition     = alltrue([for f in var.functions : contains(["api", "consumer", "job", "push-endpoint"], f.kind)])
    error_message = "A function's kind must be api, consumer, job or push-endpoint."
  }
}

variable "topics" {
  description = "Every Pub/Sub topic, the dead-letter topic included."
  type        = list(string)
}

variable "dead_letter_topic" {
  description = "The topic every subscription dead-letters into."
  type        = string
}

variable "subscriptions" {
  description = "Push subscriptions: topic, the function they push to, and their dead-letter topic (null for the dead-letter topic's own)."
  type = list(object({
    name              = string
    topic             = string
    function          = string
    dead_letter_topic = string
  }))
}

variable "delivery" {
  description = "Delivery settings shared by every push subscription."
  type = object({
    ack_deadline_seconds      = number
    min_backoff_seconds       = number
    max_backoff_seconds       = number
    max_delivery_attempts     = number
    message_retention_seconds = number
  })

  validation {
    condition     = var.delivery.max_delivery_attempts >= 5 && var.delivery.max_delivery_attempts <= 100
    error_message = "Pub/Sub allows 5 to 100 delivery attempts before dead-lettering."
  }
}

variable "jobs" {
  description = "Scheduled jobs: the job function Cloud Scheduler calls, and its schedule."
  type = list(object({
    name     = string
    function = string
    schedule = string
  }))
}

variable "mail_from" {
  description = "From header of customer mail (MAIL_FROM)."
  type        = string
  default     = "ShopFlow <no-reply@example.com>"
}

variable "stock_manager_email" {
  description = "Where stock-rejection alerts go (STOCK_MANAGER_EMAIL)."
  type        = string
}

variable "smtp_url_secret_id" {
  description = "Id of an existing Secret Manager secret holding the email service's SMTP_URL (smtps://user:password@host:465); created outside terraform so credentials never enter the state."
  type        = string
}
