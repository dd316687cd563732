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
# Needs: az (signed in), openssl. azd passes KEY_VAULT_NAME, APPROVAL_SIGNING_SECRET_NAME, AZURE_RESOURCE_GROUP
# and SERVICE_API_NAME (Bicep outputs) in the environment.
set -eu

: "${KEY_VAULT_NAME:?KEY_VAULT_NAME is not set (run through azd, or export the Bicep outputs)}"
: "${APPROVAL_SIGNING_SECRET_NAME:?APPROVAL_SIGNING_SECRET_NAME is not set}"

secret_exists() {
  az keyvault secret show --vault-name "$KEY_VAULT_NAME" --name "$APPROVAL_SIGNING_SECRET_NAME" \
    --query id -o tsv >/dev/null 2>&1
}

# A role assignment made by the deployment a moment ago can take a few minutes to apply: retry for up to 5.
attempt=1
while :; do
  if secret_exists; then
    echo "signing key: '$APPROVAL_SIGNING_SECRET_NAME' is already in Key Vault '$KEY_VAULT_NAME'; left as it is."
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

# The app resolved its Key Vault reference before the secret existed; a restart makes it read it again.
if [ -n "${SERVICE_API_NAME:-}" ] && [ -n "${AZURE_RESOURCE_GROUP:-}" ]; then
  az functionapp restart --name "$SERVICE_API_NAME" --resource-group "$AZURE_RESOURCE_GROUP" >/dev/null 2>&1 ||
    echo "signing key: could not restart '$SERVICE_API_NAME'; the next deployment restarts it." >&2
fi
