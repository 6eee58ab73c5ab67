#!/usr/bin/env bash
# One-time bootstrap of a Google Cloud project for ShopFlow (docs/deploy.md), before the first
# `gcloud builds submit`. Idempotent: re-running it changes nothing that is already in place.
#
#   scripts/bootstrap.sh <project-id> <state-bucket> [region] [name-prefix]
#
# It does what terraform cannot do for itself:
#   1. enables the APIs the plan needs before terraform can enable the rest
#      (cloudresourcemanager: project IAM at plan time; serviceusage: enabling APIs; cloudbuild,
#      iam, storage, secretmanager: the pipeline and its inputs);
#   2. creates the terraform state bucket (versioned, uniform access, no public access);
#   3. creates the deployer service account the pipeline runs as (cloudbuild.yaml's
#      serviceAccount) with exactly the roles `terraform apply` and the migration step need;
#   4. writes terraform/.terraform.lock.hcl (provider checksums) for you to commit.
# The secrets (SMTP URL, payment provider and carrier keys) are created by you; see docs/deploy.md.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 <project-id> <state-bucket> [region] [name-prefix]" >&2
  exit 2
fi
project="$1"
bucket="$2"
region="${3:-europe-west1}"
prefix="${4:-shopflow}"
deployer="${prefix}-deployer"
deployer_email="${deployer}@${project}.iam.gserviceaccount.com"

# The roles the apply needs (docs/deploy.md explains each); nothing broader such as Owner or Editor.
deployer_roles=(
  roles/cloudfunctions.admin            # the functions
  roles/run.admin                       # their Cloud Run services' invoker IAM
  roles/pubsub.admin                    # topics, subscriptions and their IAM
  roles/cloudsql.admin                  # the instance, database and user
  roles/cloudsql.client                 # migrations through the Cloud SQL Auth Proxy
  roles/secretmanager.admin             # DATABASE_URL secrets, secret IAM; reads the migrate URL
  roles/cloudscheduler.admin            # scheduled jobs
  roles/compute.networkAdmin            # VPC, private services range, edge load balancer
  roles/compute.loadBalancerAdmin       # edge certificate, URL map, proxies (edge_domain)
  roles/compute.securityAdmin           # Cloud Armor policy (edge_domain)
  roles/servicenetworking.networksAdmin # private services access for Cloud SQL
  roles/vpcaccess.admin                 # the Serverless VPC Access connector
  roles/iam.serviceAccountAdmin         # runtime/push/scheduler/build accounts and their IAM
  roles/iam.serviceAccountUser          # deploying functions and jobs that run as those accounts
  roles/resourcemanager.projectIamAdmin # project-level grants of the runtime accounts
  roles/serviceusage.serviceUsageAdmin  # enabling APIs, creating the Pub/Sub service identity
  roles/storage.admin                   # the function source bucket and its objects
  roles/monitoring.editor               # alert policies and notification channels
  roles/logging.logWriter               # the build's own logs
)

echo "== enabling the APIs the first plan needs on ${project}"
gcloud services enable --project="$project" \
  cloudresourcemanager.googleapis.com serviceusage.googleapis.com cloudbuild.googleapis.com \
  iam.googleapis.com storage.googleapis.com secretmanager.googleapis.com

echo "== terraform state bucket gs://${bucket}"
if ! gcloud storage buckets describe "gs://${bucket}" --project="$project" >/dev/null 2>&1; then
  gcloud storage buckets create "gs://${bucket}" --project="$project" --location="$region" \
    --uniform-bucket-level-access --public-access-prevention
fi
gcloud storage buckets update "gs://${bucket}" --versioning # state history, for rollback of the state itself

echo "== deployer service account ${deployer_email}"
if ! gcloud iam service-accounts describe "$deployer_email" --project="$project" >/dev/null 2>&1; then
  gcloud iam service-accounts create "$deployer" --project="$project" --display-name="ShopFlow deployer (Cloud Build)"
fi
for role in "${deployer_roles[@]}"; do
  gcloud projects add-iam-policy-binding "$project" --member="serviceAccount:${deployer_email}" --role="$role" \
    --condition=None --quiet >/dev/null
done
gcloud storage buckets add-iam-policy-binding "gs://${bucket}" --member="serviceAccount:${deployer_email}" \
  --role=roles/storage.objectAdmin >/dev/null

echo "== provider lock file (terraform/.terraform.lock.hcl)"
if command -v terraform >/dev/null 2>&1; then
  (cd "$(dirname "$0")/../terraform" && terraform providers lock -platform=linux_amd64 -platform=darwin_arm64 -platform=darwin_amd64)
  echo "commit terraform/.terraform.lock.hcl: the pipeline refuses to run without it"
else
  echo "terraform is not installed here: run \`terraform providers lock -platform=linux_amd64 -platform=darwin_arm64\` in terraform/ and commit .terraform.lock.hcl" >&2
fi

cat <<EOF

Bootstrap done. Next (docs/deploy.md):
  - create the secrets (printf '%s' '<value>' | gcloud secrets create <id> --data-file=- --project=${project}):
    the SMTP URL, and, when the topology has them, the payment provider's API key and webhook secret
    and the carrier's API key;
  - submit the pipeline: gcloud builds submit --project=${project} --config cloudbuild.yaml \\
      --substitutions=_TF_STATE_BUCKET=${bucket},_REGION=${region},_NAME_PREFIX=${prefix},_DEPLOYER=${deployer},...
EOF
