# ---------------------------------------------------------------------------------------------
# Runtime, sizing and delivery: how the functions hold up under load, and the one formula that
# keeps their database connections within what Cloud SQL allows.
# ---------------------------------------------------------------------------------------------

variable "function_runtime" {
  description = "Cloud Functions runtime of every function. Node.js 20 was decommissioned on 2026-10-30; the code also runs on Node 20 locally, so nothing may use an API that differs between them."
  type        = string
  default     = "nodejs22"

  # Google's runtime support schedule: nodejs6 to nodejs20 are decommissioned (no function can be
  # created or updated on them). Extend this when nodejs22 reaches its decommission date.
  validation {
    condition     = can(regex("^nodejs[0-9]+$", var.function_runtime)) && try(tonumber(trimprefix(var.function_runtime, "nodejs")), 0) >= 22
    error_message = "function_runtime must be nodejs22 or newer: nodejs20 and older are decommissioned on Cloud Functions."
  }
}

variable "function_scaling" {
  description = <<-EOT
    Sizing per function kind. Why these defaults:
    - api: I/O-bound express handlers; 16 concurrent requests per instance share 3 connections
      (transactions last milliseconds), up to 4 instances per API.
    - consumer: a Pub/Sub push gets 429 when every instance is busy, and a 429 costs a delivery
      attempt; 8 concurrent deliveries x 3 instances absorb a burst of 24 per consumer at once
      (one request per instance and 5 instances took 5). Deliveries beyond the pool wait for a
      connection instead of failing. The ack deadline of each subscription is its function's timeout.
    - job: Cloud Scheduler calls once per period; one instance, no concurrency needed.
    - push-endpoint: the dead-letter recorder; dead letters come in small bursts.
    Concurrency above 1 needs at least 1 vCPU. db_pool is DB_POOL_MAX of each instance.
    - memory: 256Mi. A function's process peaks at 130-160 MiB under load (docs/PERFORMANCE.md), and
      NODE_OPTIONS caps its V8 old generation at 160 MB. Below 512Mi Cloud Run uses the first
      generation execution environment, which these functions need nothing beyond.
  EOT
  type = map(object({
    max_instances   = number
    concurrency     = number
    cpu             = string
    memory          = string
    timeout_seconds = number
    db_pool         = number
  }))
  default = {
    api             = { max_instances = 4, concurrency = 16, cpu = "1", memory = "256Mi", timeout_seconds = 60, db_pool = 3 }
    consumer        = { max_instances = 3, concurrency = 8, cpu = "1", memory = "256Mi", timeout_seconds = 60, db_pool = 2 }
    job             = { max_instances = 1, concurrency = 1, cpu = "1", memory = "256Mi", timeout_seconds = 300, db_pool = 2 }
    "push-endpoint" = { max_instances = 2, concurrency = 8, cpu = "1", memory = "256Mi", timeout_seconds = 60, db_pool = 2 }
  }

  validation {
    condition     = length(setsubtract(toset(["api", "consumer", "job", "push-endpoint"]), toset(keys(var.function_scaling)))) == 0
    error_message = "function_scaling needs an entry for each kind: api, consumer, job, push-endpoint."
  }

  validation {
    condition     = alltrue([for k, s in var.function_scaling : s.concurrency == 1 || try(tonumber(s.cpu), 0) >= 1])
    error_message = "A concurrency above 1 needs at least 1 vCPU (cpu = \"1\" or more)."
  }

  # The timeout is also the ack deadline of the push subscriptions (Pub/Sub allows at most 600 s).
  validation {
    condition     = alltrue([for k, s in var.function_scaling : s.timeout_seconds >= 10 && s.timeout_seconds <= 600])
    error_message = "timeout_seconds must be 10-600: it is also the ack deadline of the push subscription, which Pub/Sub caps at 600 s."
  }

  validation {
    condition     = alltrue([for k, s in var.function_scaling : s.db_pool >= 1 && s.db_pool <= s.concurrency + 1 && s.max_instances >= 1])
    error_message = "db_pool must be 1 to concurrency + 1 (the relay may hold one more), and max_instances at least 1."
  }
}

variable "function_overrides" {
  description = "Per-function exceptions to function_scaling, by function name (e.g. a consumer that calls a slow provider: { \"email-on-email-requested\" = { concurrency = 4, timeout_seconds = 120 } }). Unset fields keep the kind's value."
  type = map(object({
    max_instances   = optional(number)
    concurrency     = optional(number)
    cpu             = optional(string)
    memory          = optional(string)
    timeout_seconds = optional(number)
    db_pool         = optional(number)
  }))
  default = {}

  validation {
    condition     = alltrue([for name in keys(var.function_overrides) : contains([for f in var.functions : f.name], name)])
    error_message = "function_overrides names a function the topology does not deploy."
  }
}

variable "db_reserved_connections" {
  description = "Connections kept free beyond the functions' pools: migrations through the Cloud SQL Auth Proxy, an operator's psql, Cloud SQL's own superuser slots."
  type        = number
  default     = 15
}

variable "db_memory_per_connection_mib" {
  description = "Memory budgeted per PostgreSQL connection when checking max_connections against the tier's memory (work_mem and backend overhead)."
  type        = number
  default     = 9
}

variable "max_delivery_attempts" {
  description = "Deliveries of a message before Pub/Sub dead-letters it (5-100). Production uses more than the emulator's 5 (shared/topology.ts): with max_backoff_seconds it rides out several minutes of overload or a database failover before anything is dead-lettered."
  type        = number
  default     = 15

  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "Pub/Sub allows 5 to 100 delivery attempts before dead-lettering."
  }
}

variable "max_backoff_seconds" {
  description = "Longest wait between redeliveries (Pub/Sub allows up to 600 s). The shortest comes from the topology."
  type        = number
  default     = 120

  validation {
    condition     = var.max_backoff_seconds >= 10 && var.max_backoff_seconds <= 600
    error_message = "max_backoff_seconds must be 10-600."
  }
}
