# One Cloud Scheduler job per scheduled job (cron, UTC), calling its job function with an OIDC token.
resource "google_cloud_scheduler_job" "job" {
  for_each = local.jobs

  name             = "${var.name_prefix}-${each.key}"
  region           = var.region
  schedule         = each.value.schedule
  time_zone        = "Etc/UTC"
  attempt_deadline = "${min(local.function_timeout[each.value.function] + 30, 1800)}s"

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.fn[each.value.function].service_config[0].uri
    headers = {
      "Content-Type" = "application/json"
    }
    body = base64encode("{}")

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.fn[each.value.function].service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_service_iam_member.scheduler_invoker]
}
