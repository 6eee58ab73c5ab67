# The Pub/Sub service agent does not exist on a new project until Pub/Sub first needs it: create it
# before granting it roles (the grants below failed on a fresh project). Beta-only resource.
resource "google_project_service_identity" "pubsub" {
  provider = google-beta

  project = var.project
  service = "pubsub.googleapis.com"

  depends_on = [google_project_service.api]
}

locals {
  pubsub_service_agent = "serviceAccount:${google_project_service_identity.pubsub.email}"
}

# ---------------------------------------------------------------------------------------------
# Identities
# ---------------------------------------------------------------------------------------------

# One runtime identity per service, shared by that service's functions.
resource "google_service_account" "runtime" {
  for_each = local.services

  account_id   = "${var.name_prefix}-${each.key}"
  display_name = "ShopFlow ${each.key} functions"

  depends_on = [google_project_service.api]
}

# Pub/Sub signs its pushes as this account; only it may invoke consumer functions.
resource "google_service_account" "pubsub_push" {
  account_id   = "${var.name_prefix}-pubsub-push"
  display_name = "ShopFlow Pub/Sub push invoker"

  depends_on = [google_project_service.api]
}

# Cloud Scheduler signs its calls as this account; only it may invoke job functions.
resource "google_service_account" "scheduler" {
  account_id   = "${var.name_prefix}-scheduler"
  display_name = "ShopFlow Cloud Scheduler invoker"

  depends_on = [google_project_service.api]
}

# Cloud Build runs the functions' builds as this account (not the default compute account).
resource "google_service_account" "build" {
  account_id   = "${var.name_prefix}-fn-build"
  display_name = "ShopFlow function builds"

  depends_on = [google_project_service.api]
}

resource "google_project_iam_member" "build" {
  for_each = toset(["roles/cloudbuild.builds.builder", "roles/logging.logWriter"])

  project = var.project
  role    = each.value
  member  = google_service_account.build.member
}

# ---------------------------------------------------------------------------------------------
# Runtime accounts: least privilege
# ---------------------------------------------------------------------------------------------

# Each service publishes only the topics the topology says it produces (topology.tf).
resource "google_pubsub_topic_iam_member" "runtime_publishes" {
  for_each = local.topic_publishers

  topic  = google_pubsub_topic.topic[each.value.topic].name
  role   = "roles/pubsub.publisher"
  member = google_service_account.runtime[each.value.service].member
}

# The health check (GET /) lists topics to prove Pub/Sub is reachable; viewer is read-only metadata.
resource "google_project_iam_member" "runtime" {
  for_each = {
    for pair in setproduct(keys(local.services), ["roles/cloudsql.client", "roles/cloudtrace.agent", "roles/pubsub.viewer"]) :
    "${pair[0]}/${pair[1]}" => { service = pair[0], role = pair[1] }
  }

  project = var.project
  role    = each.value.role
  member  = google_service_account.runtime[each.value.service].member
}

resource "google_secret_manager_secret_iam_member" "runtime_reads_database_url" {
  for_each = local.services

  secret_id = google_secret_manager_secret.database_url.id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.runtime[each.key].member
}

# ---------------------------------------------------------------------------------------------
# Who invokes what
# ---------------------------------------------------------------------------------------------

# APIs: allUsers in jwt mode (every request is authenticated by its token in the app), the
# gateway's identity in header mode or under domain-restricted sharing (validations in variables.tf).
resource "google_cloud_run_service_iam_member" "api_invoker" {
  for_each = {
    for pair in setproduct(tolist(local.api_functions), var.api_invokers) : "${pair[0]}/${pair[1]}" => { function = pair[0], member = pair[1] }
  }

  location = var.region
  service  = google_cloudfunctions2_function.fn[each.value.function].name
  role     = "roles/run.invoker"
  member   = each.value.member
}

resource "google_cloud_run_service_iam_member" "pubsub_push_invoker" {
  for_each = local.pushed_functions

  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = google_service_account.pubsub_push.member
}

resource "google_cloud_run_service_iam_member" "scheduler_invoker" {
  for_each = local.scheduled_functions

  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = google_service_account.scheduler.member
}

# ---------------------------------------------------------------------------------------------
# The Pub/Sub service agent: OIDC tokens for pushes, and dead-lettering
# ---------------------------------------------------------------------------------------------

resource "google_service_account_iam_member" "pubsub_agent_mints_push_tokens" {
  service_account_id = google_service_account.pubsub_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}

resource "google_pubsub_topic_iam_member" "pubsub_agent_publishes_dead_letters" {
  topic  = google_pubsub_topic.topic[var.dead_letter_topic].name
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "pubsub_agent_forwards_dead_letters" {
  for_each = local.dead_lettered_subscriptions

  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

# Each provider secret is readable only by the service that uses it (functions.tf: service_secrets).
resource "google_secret_manager_secret_iam_member" "service_reads_its_secrets" {
  for_each = local.secret_grants

  project   = var.project
  secret_id = each.value.secret
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.runtime[each.value.service].member
}
