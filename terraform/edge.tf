# The optional edge (variables-edge.tf): https://<service>.<edge_domain> → a serverless NEG per
# API function, behind Cloud Armor's rate-based rules. With it, the API functions accept only
# load-balancer and internal traffic (api_ingress = ALLOW_INTERNAL_AND_GCLB, enforced in
# variables.tf), so the limits cannot be bypassed through the function URLs.
locals {
  edge_enabled = var.edge_domain != ""
  edge_apis    = local.edge_enabled ? { for name in local.api_functions : local.functions[name].service => name } : {}
  edge_hosts   = { for service, fn in local.edge_apis : service => "${service}.${var.edge_domain}" }
}

resource "google_compute_security_policy" "edge" {
  count = local.edge_enabled ? 1 : 0

  name        = "${var.name_prefix}-edge"
  description = "ShopFlow APIs: rate limits per client IP and per bearer token"

  # The payment provider's signed callbacks (SPEC §2: POST /payments/webhook) come from few IPs and
  # carry no bearer token: their own, higher limit, so the rules below never throttle them as one key.
  # (The first matching rule decides; the app verifies each signature and timestamp.)
  rule {
    action      = "throttle"
    priority    = 800
    description = "provider webhooks per client IP"
    match {
      expr {
        expression = "request.path.matches('^/payments/webhook')"
      }
    }
    rate_limit_options {
      conform_action = "allow"
      exceed_action  = "deny(429)"
      enforce_on_key = "IP"
      rate_limit_threshold {
        count        = var.edge_rate_limits.webhooks_per_ip
        interval_sec = 60
      }
    }
  }

  # Writes per bearer token (a customer), whatever IP they come from.
  rule {
    action      = "throttle"
    priority    = 900
    description = "writes per bearer token"
    match {
      expr {
        expression = "request.method != 'GET' && request.method != 'HEAD' && request.method != 'OPTIONS'"
      }
    }
    rate_limit_options {
      conform_action      = "allow"
      exceed_action       = "deny(429)"
      enforce_on_key      = "HTTP_HEADER"
      enforce_on_key_name = "Authorization"
      rate_limit_threshold {
        count        = var.edge_rate_limits.writes_per_token
        interval_sec = 60
      }
    }
  }

  # Every request per client IP.
  rule {
    action      = "throttle"
    priority    = 1000
    description = "requests per client IP"
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
    rate_limit_options {
      conform_action = "allow"
      exceed_action  = "deny(429)"
      enforce_on_key = "IP"
      rate_limit_threshold {
        count        = var.edge_rate_limits.per_ip
        interval_sec = 60
      }
    }
  }

  rule {
    action      = "allow"
    priority    = 2147483647
    description = "default rule"
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
  }

  depends_on = [google_project_service.api]
}

resource "google_compute_region_network_endpoint_group" "api" {
  for_each = local.edge_apis

  name                  = "${var.name_prefix}-${each.key}-neg"
  region                = var.region
  network_endpoint_type = "SERVERLESS"
  cloud_function {
    function = google_cloudfunctions2_function.fn[each.value].name
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "google_compute_backend_service" "api" {
  for_each = local.edge_apis

  name                  = "${var.name_prefix}-${each.key}-api"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  security_policy       = google_compute_security_policy.edge[0].id

  backend {
    group = google_compute_region_network_endpoint_group.api[each.key].id
  }
}

resource "google_compute_url_map" "edge" {
  count = local.edge_enabled ? 1 : 0

  name = "${var.name_prefix}-edge"
  # A host the edge does not serve gets the first API's backend (its 404s); every API has its host rule.
  default_service = google_compute_backend_service.api[keys(local.edge_apis)[0]].id

  dynamic "host_rule" {
    for_each = local.edge_hosts
    content {
      hosts        = [host_rule.value]
      path_matcher = host_rule.key
    }
  }

  dynamic "path_matcher" {
    for_each = local.edge_hosts
    content {
      name            = path_matcher.key
      default_service = google_compute_backend_service.api[path_matcher.key].id
    }
  }
}

resource "google_compute_managed_ssl_certificate" "edge" {
  count = local.edge_enabled ? 1 : 0

  name = "${var.name_prefix}-edge"
  managed {
    domains = values(local.edge_hosts)
  }
}

resource "google_compute_target_https_proxy" "edge" {
  count = local.edge_enabled ? 1 : 0

  name             = "${var.name_prefix}-edge"
  url_map          = google_compute_url_map.edge[0].id
  ssl_certificates = [google_compute_managed_ssl_certificate.edge[0].id]
}

resource "google_compute_global_address" "edge" {
  count = local.edge_enabled ? 1 : 0

  name = "${var.name_prefix}-edge"
}

resource "google_compute_global_forwarding_rule" "edge" {
  count = local.edge_enabled ? 1 : 0

  name                  = "${var.name_prefix}-edge"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  target                = google_compute_target_https_proxy.edge[0].id
  ip_address            = google_compute_global_address.edge[0].address
  port_range            = "443"
}
