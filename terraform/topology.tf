# The generated topology (topology.auto.tfvars.json) as maps keyed by name, for for_each.
locals {
  services      = { for s in var.services : s.name => s }
  functions     = { for f in var.functions : f.name => f }
  subscriptions = { for s in var.subscriptions : s.name => s }
  jobs          = { for j in var.jobs : j.name => j }

  # Who may invoke which function (besides nobody): APIs are public (auth is the JWT, checked in
  # the app); Pub/Sub pushes to consumers and push endpoints; Cloud Scheduler calls jobs.
  pushed_functions    = toset([for s in var.subscriptions : s.function])
  scheduled_functions = toset([for j in var.jobs : j.function])
  api_functions       = toset([for f in var.functions : f.name if f.kind == "api"])

  dead_lettered_subscriptions = { for k, s in local.subscriptions : k => s if s.dead_letter_topic != null }

  # Every service's runtime account may publish to every topic: the outbox relay publishes the
  # service's own events and the sweeper (messaging) republishes anyone's.
  service_topic_pairs = {
    for pair in setproduct(keys(local.services), var.topics) : "${pair[0]}/${pair[1]}" => {
      service = pair[0]
      topic   = pair[1]
    }
  }
}
