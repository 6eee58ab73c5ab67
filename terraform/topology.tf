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

variable "publishers" {
  description = "Per topic, the services whose runtime account may publish to it (its producers, and the hosts of the jobs that republish any event: outbox sweeper, undelivered re-drive)."
  type = list(object({
    topic    = string
    services = list(string)
  }))
}

variable "delivery" {
  description = "Delivery settings of the local stack (shared/topology.ts); production takes the backoff floor and retention from here, attempts and ceiling from variables-runtime.tf, and each ack deadline from its function's timeout."
  type = object({
    ack_deadline_seconds      = number
    min_backoff_seconds       = number
    max_backoff_seconds       = number
    max_delivery_attempts     = number
    message_retention_seconds = number
  })
}

variable "jobs" {
  description = "Scheduled jobs: the service hosting each, the job function Cloud Scheduler calls, and its cron schedule (UTC)."
  type = list(object({
    name     = string
    service  = string
    function = string
    schedule = string
  }))

  validation {
    condition     = alltrue([for j in var.jobs : length(split(" ", trimspace(j.schedule))) == 5])
    error_message = "Job schedules must be five-field cron expressions (Cloud Scheduler's unix-cron format)."
  }
}

# The generated topology as maps keyed by name, for for_each, and what terraform derives from it.
locals {
  services      = { for s in var.services : s.name => s }
  functions     = { for f in var.functions : f.name => f }
  subscriptions = { for s in var.subscriptions : s.name => s }
  jobs          = { for j in var.jobs : j.name => j }

  # Every function's sizing comes from its kind, with its own exceptions if any (variables-runtime.tf).
  function_scaling = {
    for name, f in local.functions : name => merge(
      var.function_scaling[f.kind],
      { for k, v in try(var.function_overrides[name], {}) : k => v if v != null },
    )
  }
  # The request timeout of each function; a push subscription's ack deadline is its function's timeout
  # (for a push, the ack deadline is how long Pub/Sub waits for the response).
  function_timeout = { for name, s in local.function_scaling : name => s.timeout_seconds }

  # Who may invoke which function: API functions the members of var.api_invokers; Pub/Sub pushes
  # to consumers and push endpoints; Cloud Scheduler calls jobs. Only APIs may ever be reachable
  # from outside: every other kind is internal (Pub/Sub and Cloud Scheduler of the same project
  # count as internal).
  pushed_functions    = toset([for s in var.subscriptions : s.function])
  scheduled_functions = toset([for j in var.jobs : j.function])
  api_functions       = toset([for f in var.functions : f.name if f.kind == "api"])
  function_ingress    = { for name, f in local.functions : name => f.kind == "api" ? var.api_ingress : "ALLOW_INTERNAL_ONLY" }

  dead_lettered_subscriptions = { for k, s in local.subscriptions : k => s if s.dead_letter_topic != null }

  # Least privilege on events: a service's runtime account publishes only the topics the topology
  # says it produces (plus the outbox sweeper's host, which republishes committed rows of anyone).
  topic_publishers = merge([
    for p in var.publishers : { for service in p.services : "${service}/${p.topic}" => { service = service, topic = p.topic } }
  ]...)

  # The database connection budget, one formula: every instance of every function may hold its
  # whole pool. max_connections is that plus the reserve; it must fit the tier's memory.
  db_function_connections = sum(concat([0], [for name, s in local.function_scaling : s.max_instances * s.db_pool]))
  db_max_connections      = local.db_function_connections + var.db_reserved_connections
  db_tier_memory_mib      = tonumber(regex("^db-custom-[0-9]+-([0-9]+)$", var.db_tier)[0])
  db_connection_ceiling   = floor(local.db_tier_memory_mib / var.db_memory_per_connection_mib)
}
