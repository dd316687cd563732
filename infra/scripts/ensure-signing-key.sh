#!/bin/sh
# azd postprovision hook: makes sure the approval-link signing key exists in Key Vault.
#
# Why here and not in Bicep: a Bicep template can only make a random value from newGuid(), which is allowed only as
# a parameter default, is re-drawn on every deployment (every `azd up` would rotate the key and break the approval
# links already mailed) and is recorded in the deployment's parameters. So the key is generated here, on the
# deployer's machine, once: 48 random bytes (base64), written straight to Key Vault, never printed, never in a
# parameters file. Later runs find it and do nothing. The Function App reads it through a Key Vault reference
# (APPROVAL_LINK_SIGNING_KEY = @Microsoft.KeyVault(SecretUri=...)).
#
# The app's settings were written by the deployment before the secret existed, so on a first `azd up` the reference
# is unresolved, and App Service caches Key Vault references (refetched every 24 hours): a restart alone does not
# read them again. So the hook then asks for the references to be resolved again (POST .../config/configreferences/
# appsettings/refresh, https://learn.microsoft.com/azure/app-service/app-service-key-vault-references#rotation)
# and only then restarts the app. It does that on every run (it is cheap and fixes a reference left unresolved by
# an earlier run that stopped half-way); it restarts only when it created the key.
#
# Needs: az (signed in), openssl. azd passes KEY_VAULT_NAME, APPROVAL_SIGNING_SECRET_NAME, AZURE_RESOURCE_GROUP,
# SERVICE_API_NAME (Bicep outputs) and AZURE_SUBSCRIPTION_ID in the environment.
set -eu

: "${KEY_VAULT_NAME:?KEY_VAULT_NAME is not set (run through azd, or export the Bicep outputs)}"
: "${APPROVAL_SIGNING_SECRET_NAME:?APPROVAL_SIGNING_SECRET_NAME is not set}"

# Re-resolve the app's Key Vault references now (api-version as documented for the refresh endpoint).
refresh_references() {
  [ -n "${SERVICE_API_NAME:-}" ] && [ -n "${AZURE_RESOURCE_GROUP:-}" ] || return 0
  if [ -n "${AZURE_SUBSCRIPTION_ID:-}" ]; then
    site_id="/subscriptions/$AZURE_SUBSCRIPTION_ID/resourceGroups/$AZURE_RESOURCE_GROUP/providers/Microsoft.Web/sites/$SERVICE_API_NAME"
  else
    site_id=$(az functionapp show --name "$SERVICE_API_NAME" --resource-group "$AZURE_RESOURCE_GROUP" --query id -o tsv)
  fi
  if az rest --method post --url "https://management.azure.com${site_id}/config/configreferences/appsettings/refresh?api-version=2022-03-01" \
    -o none; then
    echo "signing key: asked '$SERVICE_API_NAME' to resolve its Key Vault references again."
  else
    echo "signing key: could not refresh the Key Vault references of '$SERVICE_API_NAME' (docs/deploy.md, Troubleshooting)." >&2
  fi
}

# A restart after the refresh makes the host start with the resolved value.
restart_app() {
  [ -n "${SERVICE_API_NAME:-}" ] && [ -n "${AZURE_RESOURCE_GROUP:-}" ] || return 0
  az functionapp restart --name "$SERVICE_API_NAME" --resource-group "$AZURE_RESOURCE_GROUP" \
    ${AZURE_SUBSCRIPTION_ID:+--subscription "$AZURE_SUBSCRIPTION_ID"} >/dev/null 2>&1 ||
    echo "signing key: could not restart '$SERVICE_API_NAME'; the next deployment restarts it." >&2
}

secret_exists() {
  az keyvault secret show --vault-name "$KEY_VAULT_NAME" --name "$APPROVAL_SIGNING_SECRET_NAME" \
    --query id -o tsv >/dev/null 2>&1
}

# A role assignment made by the deployment a moment ago can take a few minutes to apply: retry for up to 5.
attempt=1
while :; do
  if secret_exists; then
    echo "signing key: '$APPROVAL_SIGNING_SECRET_NAME' is already in Key Vault '$KEY_VAULT_NAME'; left as it is."
    refresh_references
    exit 0
  fi
  # Tell "not there" (404) from "not allowed yet" (403) by listing names, which needs the same role.
  if az keyvault secret list --vault-name "$KEY_VAULT_NAME" --query '[].name' -o tsv >/dev/null 2>&1; then
    break
  fi
  if [ "$attempt" -ge 20 ]; then
    echo "signing key: cannot read Key Vault '$KEY_VAULT_NAME' (is Key Vault Secrets Officer assigned to you?)" >&2
    exit 1
  fi
  echo "signing key: waiting for the Key Vault role to apply (attempt $attempt of 20)..."
  attempt=$((attempt + 1))
  sleep 15
done

umask 077
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT INT TERM
openssl rand -base64 48 | tr -d '\n' >"$tmp"
az keyvault secret set --vault-name "$KEY_VAULT_NAME" --name "$APPROVAL_SIGNING_SECRET_NAME" \
  --file "$tmp" --encoding utf-8 --content-type 'base64, 48 bytes: approval-link HMAC key' \
  --query id -o tsv >/dev/null
echo "signing key: created '$APPROVAL_SIGNING_SECRET_NAME' in Key Vault '$KEY_VAULT_NAME'."

# The app tried its Key Vault reference before the secret existed and cached the failure: refresh, then restart.
refresh_references
restart_app
