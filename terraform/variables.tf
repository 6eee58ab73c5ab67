# ---------------------------------------------------------------------------------------------
# Deployment settings (set per environment: -var, TF_VAR_*, or a *.tfvars file). Sizing and
# runtime settings are in variables-runtime.tf, the optional edge (load balancer, Cloud Armor)
# in variables-edge.tf, the generated topology in topology.tf.
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

# ---------------------------------------------------------------------------------------------
# Who may call the APIs, and how callers are identified
# ---------------------------------------------------------------------------------------------

variable "auth_mode" {
  description = "AUTH_MODE of the APIs: jwt (bearer tokens checked in the app; the APIs may be public), or header (X-Customer-Id trusted as set by an authenticating gateway: the APIs must then be reachable only through that gateway)."
  type        = string
  default     = "jwt"

  validation {
    condition     = contains(["jwt", "header"], var.auth_mode)
    error_message = "auth_mode must be jwt or header."
  }

  # Header mode trusts a header anyone can send: a caller that reaches a function directly is
  # whoever it claims to be. So it is only deployable when nobody but the gateway can reach them.
  validation {
    condition = var.auth_mode == "jwt" || (
      var.api_ingress != "ALLOW_ALL" &&
      length(setintersection(toset(var.api_invokers), toset(["allUsers", "allAuthenticatedUsers"]))) == 0
    )
    error_message = "auth_mode = \"header\" needs APIs reachable only through the authenticating gateway: api_ingress ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB, and api_invokers naming the gateway's identity (no allUsers / allAuthenticatedUsers)."
  }
}

variable "api_ingress" {
  description = "Ingress of the API functions: ALLOW_ALL (public URL), ALLOW_INTERNAL_AND_GCLB (only through a load balancer, e.g. the edge in edge.tf, or from the VPC), ALLOW_INTERNAL_ONLY (VPC only). Consumer, job and dead-letter functions are always internal."
  type        = string
  default     = "ALLOW_ALL"

  validation {
    condition     = contains(["ALLOW_ALL", "ALLOW_INTERNAL_AND_GCLB", "ALLOW_INTERNAL_ONLY"], var.api_ingress)
    error_message = "api_ingress must be ALLOW_ALL, ALLOW_INTERNAL_AND_GCLB or ALLOW_INTERNAL_ONLY."
  }

  # With the edge in front, a public function URL would let callers skip its rate limits.
  validation {
    condition     = var.edge_domain == "" || var.api_ingress == "ALLOW_INTERNAL_AND_GCLB"
    error_message = "With edge_domain set (load balancer + Cloud Armor), api_ingress must be ALLOW_INTERNAL_AND_GCLB so the rate limits cannot be bypassed."
  }
}

variable "api_invokers" {
  description = "IAM members allowed to invoke the API functions (roles/run.invoker). allUsers in jwt mode (the app checks the token); the gateway's service account in header mode or under an org policy that forbids allUsers."
  type        = list(string)
  default     = ["allUsers"]

  validation {
    condition     = length(var.api_invokers) > 0
    error_message = "api_invokers needs at least one member (allUsers, or the gateway's serviceAccount:...)."
  }

  validation {
    condition     = !var.private_only || length(setintersection(toset(var.api_invokers), toset(["allUsers", "allAuthenticatedUsers"]))) == 0
    error_message = "private_only forbids allUsers / allAuthenticatedUsers (domain-restricted sharing): name the principals that may call the APIs."
  }
}

variable "private_only" {
  description = "Org-policy variant (iam.allowedPolicyMemberDomains, sql.restrictPublicIp): no allUsers anywhere and no public IP on Cloud SQL. Migrations then need a Cloud Build private pool in the VPC (docs/deploy.md)."
  type        = bool
  default     = false
}

variable "jwt_issuer" {
  description = "Issuer (iss) the APIs require in bearer tokens (auth_mode = jwt)."
  type        = string
  default     = ""

  validation {
    condition     = var.auth_mode != "jwt" || var.jwt_issuer != ""
    error_message = "auth_mode = \"jwt\" needs jwt_issuer."
  }
}

variable "jwt_jwks_url" {
  description = "JWKS URL the APIs verify bearer tokens against (auth_mode = jwt)."
  type        = string
  default     = ""

  validation {
    condition     = var.auth_mode != "jwt" || can(regex("^https://", var.jwt_jwks_url))
    error_message = "auth_mode = \"jwt\" needs jwt_jwks_url, an https URL."
  }
}

variable "jwt_audience" {
  description = "Audience (aud) the APIs require in bearer tokens (auth_mode = jwt); e.g. the Firebase / Identity Platform project id."
  type        = string
  default     = ""

  validation {
    condition     = var.auth_mode != "jwt" || var.jwt_audience != ""
    error_message = "auth_mode = \"jwt\" needs jwt_audience: a token minted for another audience must not be accepted."
  }
}

variable "jwt_algorithms" {
  description = "Signature algorithms the APIs accept, comma-separated, asymmetric only (JWT_ALGORITHMS); Firebase / Identity Platform sign with RS256."
  type        = string
  default     = "RS256"

  validation {
    condition     = alltrue([for a in split(",", var.jwt_algorithms) : contains(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"], trimspace(a))])
    error_message = "jwt_algorithms must list asymmetric JWS algorithms only (RS*, PS*, ES*, EdDSA)."
  }
}

variable "jwt_customer_claim" {
  description = "Token claim that holds the customer id, a UUID (Firebase / Identity Platform: a custom claim such as customer_id)."
  type        = string
  default     = "sub"
}

variable "jwt_admin_claim" {
  description = "Token claim that makes an admin when it equals jwt_admin_role or is a list holding it (JWT_ADMIN_CLAIM)."
  type        = string
  default     = "roles"
}

variable "jwt_admin_role" {
  description = "Value of jwt_admin_claim that makes a token an admin identity."
  type        = string
  default     = "admin"
}

# ---------------------------------------------------------------------------------------------
# Application settings and the secrets of external providers (ids of Secret Manager secrets
# created outside terraform, so credentials never enter the terraform state)
# ---------------------------------------------------------------------------------------------

variable "log_level" {
  description = "LOG_LEVEL of every function."
  type        = string
  default     = "info"
}

variable "mail_from" {
  description = "From header of customer mail (MAIL_FROM), on a domain whose SPF/DKIM your SMTP provider signs, e.g. \"ShopFlow <no-reply@shop.example.org>\"."
  type        = string

  validation {
    condition     = can(regex("@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}>?$", var.mail_from)) && !can(regex("@example\\.(com|org|net)>?$", var.mail_from))
    error_message = "mail_from must be an address on your own mail domain (example.com/org/net are reserved and cannot send)."
  }
}

variable "stock_manager_email" {
  description = "Where stock-rejection alerts go (STOCK_MANAGER_EMAIL)."
  type        = string
}

variable "smtp_url_secret_id" {
  description = "Id of an existing Secret Manager secret holding the email service's SMTP_URL (smtps://user:password@host:465)."
  type        = string
}

variable "payment_provider_url" {
  description = "PAYMENT_PROVIDER_URL of the payments service: the payment provider's HTTPS API."
  type        = string
  default     = ""

  validation {
    condition     = var.payment_provider_url == "" || can(regex("^https://", var.payment_provider_url))
    error_message = "payment_provider_url must be an https URL."
  }

  validation {
    condition     = var.payment_provider_url != "" || !contains([for s in var.services : s.name], "payments")
    error_message = "The topology has a payments service: set payment_provider_url."
  }
}

variable "payment_provider_api_key_secret_id" {
  description = "Id of an existing Secret Manager secret holding the payments service's PAYMENT_PROVIDER_API_KEY."
  type        = string
  default     = ""

  validation {
    condition     = var.payment_provider_api_key_secret_id != "" || !contains([for s in var.services : s.name], "payments")
    error_message = "The topology has a payments service: set payment_provider_api_key_secret_id (a Secret Manager secret id)."
  }
}

variable "payment_webhook_secret_id" {
  description = "Id of an existing Secret Manager secret holding PAYMENT_WEBHOOK_SECRET, the key the provider signs its webhooks with."
  type        = string
  default     = ""

  validation {
    condition     = var.payment_webhook_secret_id != "" || !contains([for s in var.services : s.name], "payments")
    error_message = "The topology has a payments service: set payment_webhook_secret_id (a Secret Manager secret id)."
  }
}

variable "carrier_url" {
  description = "CARRIER_URL of the shipments service: the carrier's HTTPS API."
  type        = string
  default     = ""

  validation {
    condition     = var.carrier_url == "" || can(regex("^https://", var.carrier_url))
    error_message = "carrier_url must be an https URL."
  }

  validation {
    condition     = var.carrier_url != "" || !contains([for s in var.services : s.name], "shipments")
    error_message = "The topology has a shipments service: set carrier_url."
  }
}

variable "carrier_api_key_secret_id" {
  description = "Id of an existing Secret Manager secret holding the shipments service's CARRIER_API_KEY."
  type        = string
  default     = ""

  validation {
    condition     = var.carrier_api_key_secret_id != "" || !contains([for s in var.services : s.name], "shipments")
    error_message = "The topology has a shipments service: set carrier_api_key_secret_id (a Secret Manager secret id)."
  }
}

variable "alert_email" {
  description = "Where alerts (dead-lettered messages, stuck subscriptions) are sent; empty for no alerting."
  type        = string
  default     = ""
}

# ---------------------------------------------------------------------------------------------
# Database and network
# ---------------------------------------------------------------------------------------------

variable "db_instance_name" {
  description = "Cloud SQL instance name (cloudbuild.yaml's _DB_INSTANCE must match)."
  type        = string
  default     = "shopflow"
}

variable "db_tier" {
  description = "Cloud SQL machine tier, db-custom-<vCPUs>-<memory MiB> (Enterprise edition). Its memory bounds max_connections (see variables-runtime.tf)."
  type        = string
  default     = "db-custom-1-3840"

  validation {
    condition     = can(regex("^db-custom-[0-9]+-[0-9]+$", var.db_tier))
    error_message = "db_tier must be a custom tier, db-custom-<vCPUs>-<memory MiB>."
  }
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
