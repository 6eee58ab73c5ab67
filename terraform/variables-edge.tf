# ---------------------------------------------------------------------------------------------
# Optional edge in front of the public API functions (edge.tf): a global external Application
# Load Balancer with a Google-managed certificate and Cloud Armor rate-based rules. Off while
# edge_domain is empty. The app's own limits (429 + Retry-After) are per instance; these are global.
# ---------------------------------------------------------------------------------------------

variable "edge_domain" {
  description = "Domain under which the edge serves each API as https://<service>.<edge_domain> (point a wildcard DNS A record at the edge_ip output); empty for no edge. Needs api_ingress = ALLOW_INTERNAL_AND_GCLB."
  type        = string
  default     = ""

  validation {
    condition     = var.edge_domain == "" || can(regex("^([a-z0-9-]+\\.)+[a-z]{2,}$", var.edge_domain))
    error_message = "edge_domain must be a DNS name such as api.shop.example.org."
  }
}

variable "edge_rate_limits" {
  description = <<-EOT
    Cloud Armor throttles (requests per minute) at the edge; a caller over a limit gets 429:
    - per_ip: every request, per client IP.
    - writes_per_token: POST/PUT/PATCH/DELETE per bearer token (Authorization header), i.e. per
      signed-in customer whatever IP they use; requests without a token fall back to one shared key.
    - webhooks_per_ip: the payment provider's callbacks (/payments/webhook), per sending IP; they are
      matched first, so the two limits above never apply to them.
  EOT
  type = object({
    per_ip           = number
    writes_per_token = number
    webhooks_per_ip  = number
  })
  default = {
    per_ip           = 600
    writes_per_token = 60
    webhooks_per_ip  = 6000
  }

  validation {
    condition     = alltrue([for v in values(var.edge_rate_limits) : v >= 1])
    error_message = "Rate limits must be at least 1 request per minute."
  }
}
