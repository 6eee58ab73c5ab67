terraform {
  # 1.9+: validations that refer to other variables (variables.tf).
  required_version = ">= 1.9"

  # Google provider 7.x (the 7.0.0 upgrade guide was followed: nothing used here was removed or
  # changed; google_project_service keeps disable_on_destroy = false explicitly). google-beta only
  # for google_project_service_identity (iam.tf), which has no GA version.
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 7.0, < 8.0"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = ">= 7.0, < 8.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.6, < 4.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.4, < 3.0"
    }
  }

  # State lives in a GCS bucket created once by hand; bucket and prefix come from
  # `terraform init -backend-config=bucket=... -backend-config=prefix=...`.
  backend "gcs" {}
}

provider "google" {
  project = var.project
  region  = var.region
}

provider "google-beta" {
  project = var.project
  region  = var.region
}

# cloudresourcemanager, serviceusage and cloudbuild are enabled once by scripts/bootstrap.sh (the
# plan itself needs them); they are listed here too so that terraform never disables them.
locals {
  apis = [
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "cloudtrace.googleapis.com",
    "compute.googleapis.com",
    "iam.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "servicenetworking.googleapis.com",
    "serviceusage.googleapis.com",
    "sqladmin.googleapis.com",
    "vpcaccess.googleapis.com",
  ]
}

resource "google_project_service" "api" {
  for_each = toset(local.apis)

  project            = var.project
  service            = each.value
  disable_on_destroy = false
}
