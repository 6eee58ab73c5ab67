resource "google_pubsub_topic" "topic" {
  for_each = toset(var.topics)

  name = each.value

  depends_on = [google_project_service.api]
}

# One push subscription per consuming function. The push goes to the function's URL plus
# /projects/<project>/topics/<topic>: the Functions Framework reads the topic from that path when
# it turns the push into a CloudEvent. The OIDC token proves the push comes from our Pub/Sub.
resource "google_pubsub_subscription" "push" {
  for_each = local.subscriptions

  name  = each.key
  topic = google_pubsub_topic.topic[each.value.topic].id

  # For a push, the ack deadline is how long Pub/Sub waits for the response: the function's timeout,
  # so a slow delivery is never redelivered while it still runs.
  ack_deadline_seconds       = local.function_timeout[each.value.function]
  message_retention_duration = "${var.delivery.message_retention_seconds}s"

  retry_policy {
    minimum_backoff = "${var.delivery.min_backoff_seconds}s"
    maximum_backoff = "${var.max_backoff_seconds}s"
  }

  dynamic "dead_letter_policy" {
    for_each = each.value.dead_letter_topic == null ? [] : [each.value.dead_letter_topic]
    content {
      dead_letter_topic     = google_pubsub_topic.topic[dead_letter_policy.value].id
      max_delivery_attempts = var.max_delivery_attempts
    }
  }

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.fn[each.value.function].service_config[0].uri}/projects/${var.project}/topics/${each.value.topic}"

    oidc_token {
      service_account_email = google_service_account.pubsub_push.email
      audience              = google_cloudfunctions2_function.fn[each.value.function].service_config[0].uri
    }
  }

  # Never delete an idle subscription.
  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_cloud_run_service_iam_member.pubsub_push_invoker,
    google_service_account_iam_member.pubsub_agent_mints_push_tokens,
    google_pubsub_topic_iam_member.pubsub_agent_publishes_dead_letters,
  ]
}
