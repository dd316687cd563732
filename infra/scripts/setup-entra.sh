#!/usr/bin/env bash
# pimflow's Entra ID set-up, with the Azure CLI. Idempotent: each step looks first and changes only what is missing;
# where what it finds contradicts what it would make (two registrations with the same name, an app role value with
# another id), it stops and says why instead of building on it. Run it
#   1. before the first `azd up`: creates the API's app registration and prints `azd env set AUTH_AUDIENCE ...`
#      and `azd env set PORTAL_CLIENT_ID ...` (the portal signs in with the same registration);
#   2. after `azd up` (or whenever): also grants the app's managed identity its Microsoft Graph permissions, and
#      registers the portal's redirect URI on the Function App's host (SERVICE_API_URI, known once provisioned).
#
# Who may run it: creating the app registration needs Application Developer (or more); granting Microsoft Graph
# application permissions needs Privileged Role Administrator or Global Administrator (it is admin consent).
#
# Usage: infra/scripts/setup-entra.sh [options]
#   --env-name NAME           azd environment name (default: AZURE_ENV_NAME from `azd env get-values`)
#   --api-name NAME           display name of the API registration (default: pimflow-api-<env-name>)
#   --identity-principal-id ID  object id of the app's managed identity (default: API_IDENTITY_PRINCIPAL_ID from azd)
#   --app-url URL             the Function App's https URL, for the portal's redirect URI (default: SERVICE_API_URI
#                             from azd; http://localhost:7071 is always registered too, for `func start` locally)
#   --admin-group ID          object id of a group to give the PimFlow.Admin app role (optional)
#   --auditor-group ID        object id of a group to give the PimFlow.Auditor app role (optional)
#   --no-owner-management     do not grant Group.ReadWrite.All (owner activations and owner drift removal then fail)
#   --role-assignable-groups  accepted for older scripts; RoleManagement.ReadWrite.Directory is now always granted
#   --allow-azure-cli         pre-authorize the Azure CLI for the API's scope, so admins can get tokens with
#                             `az account get-access-token --scope api://<client id>/access_as_user` (first steps)
#   --admin-app ID            object id of an app's service principal to give PimFlow.Admin (automation; optional)
#   --auditor-app ID          object id of an app's service principal to give PimFlow.Auditor (optional)
#   --dry-run                 say what would change, change nothing
#
# App-only callers (client credentials) get exactly the app roles assigned to them: both roles allow members of
# type Application, the access tokens carry the `idtyp` optional claim (`app` for app-only tokens), and the API
# refuses app-only tokens without a pimflow role and on every self-service operation. The service principal keeps
# appRoleAssignmentRequired off, deliberately: every user of the tenant may need to activate, approve or review,
# and pimflow has no "user" role to assign them (see docs/deploy.md, "Who can get a token").
set -euo pipefail

GRAPH_APP_ID=00000003-0000-0000-c000-000000000000
AZURE_CLI_APP_ID=04b07795-8ddb-461a-bbee-02f9e1bf7b46
GRAPH=https://graph.microsoft.com/v1.0

# The app roles the code checks (shared/auth/principal.ts APP_ROLES). Fixed ids, so every run makes the same roles.
# value|id|display name|description
APP_ROLES=(
  "PimFlow.Admin|6b0f4f0e-4c55-4c4f-9a43-0d8f3b6a1c01|pimflow administrator|Manages groups under management, role settings, assignments and approvals; reads the audit log."
  "PimFlow.Auditor|6b0f4f0e-4c55-4c4f-9a43-0d8f3b6a1c02|pimflow auditor|Reads everything pimflow holds (requests, schedules, role settings, audit log, drift); changes nothing."
)
# Who each role may be assigned to: people (and groups) and apps alike. An app with PimFlow.Admin does what an
# admin does through the API (assign, remove, role settings, reviews); an app with PimFlow.Auditor reads. No app
# ever activates, approves or reviews: those act for a signed-in user (shared/http/caller.ts).
APP_ROLE_MEMBER_TYPES='["User","Application"]'
# Optional claims of the API's access tokens: `idtyp` tells an app-only token (`app`) from a user's (`user`) for
# certain, instead of inferring it from a missing `scp` (the API accepts either: shared/auth/principal.ts).
OPTIONAL_CLAIMS='{"accessToken":[{"name":"idtyp","source":null,"essential":false,"additionalProperties":[]}],"idToken":[],"saml2Token":[]}'
# The delegated scope clients ask for (api://<client id>/access_as_user); app roles arrive in the token's `roles`.
SCOPE_ID=6b0f4f0e-4c55-4c4f-9a43-0d8f3b6a1c10

# Microsoft Graph application permissions of the app's managed identity: permission|why.
# test/infra/graph-permissions.test.ts checks that these cover every Graph request in shared/directory/.
GRAPH_PERMISSIONS=(
  "GroupMember.ReadWrite.All|add and remove group members (grant and revoke of member activations), list members and transitive members (drift), read the groups under management"
  "Group.ReadWrite.All|add and remove group owners (owner activations; drift removal of owners added outside pimflow): Graph has no narrower permission for owners"
  "User.Read.All|read users (approvers, requesters, their mail addresses) and a user's manager (access review reviewers)"
  "AuditLog.Read.All|read users' signInActivity (access review recommendations; with User.Read.All; needs Entra ID P1 or P2)"
  "Directory.Read.All|read any directory object by id (GET /directoryObjects/{id}: is a principal a user, a group or a service principal), administrative units and directory role definitions and assignments"
  "RoleManagement.ReadWrite.Directory|create and delete Entra directory role assignments (grant and revoke of Entra role activations, drift removal), and change the members of role-assignable groups (Graph requires it on top of the group permissions)"
)
OWNER_PERMISSION="Group.ReadWrite.All"

env_name="" api_name="" identity_id="" app_url="" admin_group="" auditor_group="" admin_app="" auditor_app=""
owners=1 allow_cli=0 dry_run=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --env-name) env_name="$2"; shift 2 ;;
    --api-name) api_name="$2"; shift 2 ;;
    --identity-principal-id) identity_id="$2"; shift 2 ;;
    --app-url) app_url="$2"; shift 2 ;;
    --admin-group) admin_group="$2"; shift 2 ;;
    --auditor-group) auditor_group="$2"; shift 2 ;;
    --admin-app) admin_app="$2"; shift 2 ;;
    --auditor-app) auditor_app="$2"; shift 2 ;;
    --no-owner-management) owners=0; shift ;;
    --role-assignable-groups) shift ;; # now always granted (GRAPH_PERMISSIONS)
    --allow-azure-cli) allow_cli=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) sed -n '2,33p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done

say() { printf '%s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }
fail() { printf 'setup-entra: %s\n' "$*" >&2; exit 1; }
# Graph replicates a new application and service principal for a few seconds: a read or PATCH right after
# `az ad app create` / `az ad sp create` can answer 404 (Request_ResourceNotFound). Every call on the registration
# and its service principal goes through retry: up to RETRY_ATTEMPTS tries, RETRY_WAIT seconds apart.
RETRY_ATTEMPTS=${RETRY_ATTEMPTS:-6} RETRY_WAIT=${RETRY_WAIT:-10}
retry() { # retry command...
  local attempt=1
  until "$@"; do
    if [[ $attempt -ge $RETRY_ATTEMPTS ]]; then
      printf 'setup-entra: gave up after %s tries: %s\n' "$attempt" "$*" >&2
      return 1
    fi
    printf '  (Graph may still be replicating; try %s of %s again in %ss)\n' "$((attempt + 1))" "$RETRY_ATTEMPTS" "$RETRY_WAIT" >&2
    sleep "$RETRY_WAIT"
    attempt=$((attempt + 1))
  done
}
# The pre-authorized applications with the Azure CLI given access_as_user, keeping every other entry and any
# other scope the CLI already has: merge_preauth <entries other than the CLI (JSON array)> <the CLI's scope ids,
# one a line>. Prints the new JSON array.
merge_preauth() {
  local others=$1 cli_ids=$2 ids="" id body
  for id in $cli_ids; do [[ $id == "$SCOPE_ID" ]] || ids+="\"$id\","; done
  ids+="\"$SCOPE_ID\""
  body=${others#*[}
  body=${body%]*}
  local entry="{\"appId\":\"$AZURE_CLI_APP_ID\",\"delegatedPermissionIds\":[$ids]}"
  if [[ $body == *[![:space:]]* ]]; then printf '[%s,%s]\n' "$body" "$entry"; else printf '[%s]\n' "$entry"; fi
}
# The portal's SPA redirect URIs after adding what is missing, keeping every URI there is:
# merge_redirect_uris <the registered URIs, one a line> <wanted URI>... Prints the JSON array, or nothing when
# every wanted URI is registered already.
merge_redirect_uris() {
  local have=$1 uri out="" missing=0
  shift
  while IFS= read -r uri; do [[ -n $uri ]] && out+="${out:+,}\"$uri\""; done <<<"$have"
  for uri in "$@"; do
    if ! grep -qxF -- "$uri" <<<"$have"; then out+="${out:+,}\"$uri\""; missing=1; fi
  done
  if [[ $missing == 1 ]]; then printf '[%s]\n' "$out"; fi
}
change() { # change "what" command...
  if [[ $dry_run == 1 ]]; then say "  would: $1"; else say "  $1"; "${@:2}"; fi
}

command -v az >/dev/null || fail "the Azure CLI (az) is needed"
azd_value() { command -v azd >/dev/null && azd env get-value "$1" 2>/dev/null || true; }
[[ -n $env_name ]] || env_name=$(azd_value AZURE_ENV_NAME)
[[ -n $identity_id ]] || identity_id=$(azd_value API_IDENTITY_PRINCIPAL_ID)
[[ -n $app_url ]] || app_url=$(azd_value SERVICE_API_URI)
[[ -n $env_name || -n $api_name ]] || fail "give --env-name (or run inside an azd project with an environment)"
[[ -n $api_name ]] || api_name="pimflow-api-${env_name}"

tenant_id=$(az account show --query tenantId -o tsv) || fail "sign in first: az login"
say "tenant: $tenant_id"

# ---------------------------------------------------------------------------------------------------------------
step "API app registration '$api_name' (the audience of the tokens pimflow accepts)"
# (No mapfile: macOS still ships bash 3.2.)
found=$(az ad app list --filter "displayName eq '$api_name'" --query '[].appId' -o tsv)
count=$(printf '%s' "$found" | grep -c . || true)
if [[ $count -gt 1 ]]; then
  fail "$count app registrations are named '$api_name' ($(echo $found)); delete the extra ones, or pass --api-name"
elif [[ $count -eq 1 ]]; then
  app_id=$found
  say "  found: $app_id"
else
  if [[ $dry_run == 1 ]]; then
    say "  would: create it (single tenant), then set its identifier URI, roles and scope"
    app_id=""
  else
    app_id=$(az ad app create --display-name "$api_name" --sign-in-audience AzureADMyOrg --query appId -o tsv)
    say "  created: $app_id"
  fi
fi

if [[ -n $app_id ]]; then
  app_object_id=$(retry az ad app show --id "$app_id" --query id -o tsv)
  # Refuse to reuse a role value under another id, or an id under another value: updating over either fails
  # half-way in Graph (enabled roles can't be removed), so say it now.
  roles_json=""
  for entry in "${APP_ROLES[@]}"; do
    IFS='|' read -r value id display description <<<"$entry"
    existing_id=$(retry az ad app show --id "$app_id" --query "appRoles[?value=='$value'].id | [0]" -o tsv)
    existing_value=$(retry az ad app show --id "$app_id" --query "appRoles[?id=='$id'].value | [0]" -o tsv)
    if [[ -n $existing_id && $existing_id != "$id" ]]; then
      fail "app role $value exists with id $existing_id, not $id: disable and remove it in the portal first"
    fi
    if [[ -n $existing_value && $existing_value != "$value" ]]; then
      fail "app role id $id is used by '$existing_value', not $value: disable and remove it in the portal first"
    fi
    roles_json+="${roles_json:+,}{\"id\":\"$id\",\"value\":\"$value\",\"displayName\":\"$display\",\"description\":\"$description\",\"allowedMemberTypes\":$APP_ROLE_MEMBER_TYPES,\"isEnabled\":true}"
  done
  # v2.0 tokens (AUTH_ISSUER is the v2.0 issuer; their audience is the client id) and one delegated scope. Graph
  # replaces a complex property whole on PATCH, so every PATCH of `api` carries all of it.
  api_json() { # pre-authorized clients (JSON array)
    cat <<JSON
{
  "requestedAccessTokenVersion": 2,
  "oauth2PermissionScopes": [{
    "id": "$SCOPE_ID", "value": "access_as_user", "type": "User", "isEnabled": true,
    "adminConsentDisplayName": "Use pimflow as the signed-in user",
    "adminConsentDescription": "Lets the client call pimflow's API as the signed-in user.",
    "userConsentDisplayName": "Use pimflow as you",
    "userConsentDescription": "Lets the client call pimflow's API as you."
  }],
  "preAuthorizedApplications": $1
}
JSON
  }
  preauth=$(retry az ad app show --id "$app_id" --query 'api.preAuthorizedApplications' -o json)
  [[ $preauth == "[]" || $preauth == "null" || -z $preauth ]] && preauth="[]"
  body="{\"identifierUris\":[\"api://$app_id\"],\"api\":$(api_json "$preauth"),\"appRoles\":[$roles_json],\"optionalClaims\":$OPTIONAL_CLAIMS}"
  change "identifier URI api://$app_id, v2.0 access tokens with the idtyp claim, scope access_as_user, app roles PimFlow.Admin and PimFlow.Auditor (users and apps)" \
    retry az rest --method PATCH --url "$GRAPH/applications/$app_object_id" --headers 'Content-Type=application/json' --body "$body"
  if [[ $allow_cli == 1 ]]; then
    # Append the Azure CLI to the list there is now (someone may have pre-authorized other clients), not replace
    # it; nothing to do when it already has access_as_user. A second PATCH: Graph wants the scope to exist before
    # a client is pre-authorized for it.
    others=$(retry az ad app show --id "$app_id" --query "api.preAuthorizedApplications[?appId!='$AZURE_CLI_APP_ID']" -o json)
    cli_ids=$(retry az ad app show --id "$app_id" \
      --query "api.preAuthorizedApplications[?appId=='$AZURE_CLI_APP_ID'].delegatedPermissionIds[]" -o tsv)
    if grep -qx "$SCOPE_ID" <<<"$cli_ids"; then
      say "  the Azure CLI ($AZURE_CLI_APP_ID) is already pre-authorized for access_as_user"
    else
      [[ -n $others && $others != "null" ]] || others="[]"
      preauth=$(merge_preauth "$others" "$cli_ids")
      change "pre-authorize the Azure CLI ($AZURE_CLI_APP_ID) for access_as_user (keeping the other pre-authorized clients)" \
        retry az rest --method PATCH --url "$GRAPH/applications/$app_object_id" --headers 'Content-Type=application/json' \
        --body "{\"api\":$(api_json "$preauth")}"
    fi
  fi

  # The portal (docs/portal.md) is a single-page application on this same registration: MSAL signs people in with
  # the authorization code flow and PKCE, Entra ID sends the code to /api/portal/redirect.html, and the portal asks
  # for api://<client id>/access_as_user. The SPA platform (`spa.redirectUris`) is what allows the token request
  # from the browser (cross-origin) without a client secret. Other SPA redirect URIs there are kept.
  portal_uris=("http://localhost:7071/api/portal/redirect.html")
  if [[ -n $app_url ]]; then
    portal_uris=("${app_url%/}/api/portal/redirect.html" "${portal_uris[@]}")
  else
    say "  no Function App URL yet (SERVICE_API_URI is set by 'azd provision'): run this script again after 'azd up'"
    say "  to register the portal's redirect URI https://<function app host>/api/portal/redirect.html"
  fi
  spa_have=$(retry az ad app show --id "$app_id" --query 'spa.redirectUris' -o tsv)
  spa_uris=$(merge_redirect_uris "$spa_have" "${portal_uris[@]}")
  if [[ -z $spa_uris ]]; then
    say "  portal redirect URIs (single-page application): already registered"
  else
    change "portal: single-page application redirect URIs ${portal_uris[*]}" \
      retry az rest --method PATCH --url "$GRAPH/applications/$app_object_id" --headers 'Content-Type=application/json' \
      --body "{\"spa\":{\"redirectUris\":$spa_uris}}"
  fi

  api_sp_id=$(retry az ad sp list --filter "appId eq '$app_id'" --query '[0].id' -o tsv)
  if [[ -z $api_sp_id ]]; then
    if [[ $dry_run == 1 ]]; then
      say "  would: create its service principal (the enterprise application users are assigned roles on)"
    else
      api_sp_id=$(retry az ad sp create --id "$app_id" --query id -o tsv)
      say "  created its service principal: $api_sp_id"
    fi
  fi

  assign_app_role() { # principal-id role-value
    local principal=$1 value=$2 role_id entry
    for entry in "${APP_ROLES[@]}"; do
      IFS='|' read -r v id _ <<<"$entry"
      [[ $v == "$value" ]] && role_id=$id
    done
    local have
    have=$(retry az rest --method GET --url "$GRAPH/servicePrincipals/$api_sp_id/appRoleAssignedTo" \
      --query "length(value[?principalId=='$principal' && appRoleId=='$role_id'])" -o tsv)
    if [[ $have != 0 ]]; then
      say "  $value: already assigned to $principal"
    else
      change "$value: assign to $principal" retry az rest --method POST \
        --url "$GRAPH/servicePrincipals/$api_sp_id/appRoleAssignedTo" --headers 'Content-Type=application/json' \
        --body "{\"principalId\":\"$principal\",\"resourceId\":\"$api_sp_id\",\"appRoleId\":\"$role_id\"}" -o none
    fi
  }
  if [[ -n $api_sp_id && -n $admin_group ]]; then assign_app_role "$admin_group" PimFlow.Admin; fi
  if [[ -n $api_sp_id && -n $auditor_group ]]; then assign_app_role "$auditor_group" PimFlow.Auditor; fi
  # Apps (client credentials): the same assignment, to the app's service principal (an application permission).
  if [[ -n $api_sp_id && -n $admin_app ]]; then assign_app_role "$admin_app" PimFlow.Admin; fi
  if [[ -n $api_sp_id && -n $auditor_app ]]; then assign_app_role "$auditor_app" PimFlow.Auditor; fi

  # appRoleAssignmentRequired stays off (Entra's default): with it on, Entra would issue no token to a user without
  # an app role assignment, and the people who activate, approve and review hold no pimflow role. Apps without an
  # assignment do get tokens then — with no roles, which the API refuses (403). Say so if someone turned it on.
  if [[ -n $api_sp_id ]]; then
    required=$(retry az ad sp show --id "$api_sp_id" --query appRoleAssignmentRequired -o tsv)
    if [[ $required == "true" ]]; then
      say "  note: appRoleAssignmentRequired is on for '$api_name': only users and apps assigned to it get tokens;"
      say "        requesters, approvers and reviewers then need an assignment too (left as you set it)"
    else
      say "  appRoleAssignmentRequired: off (every user may sign in; apps get only what their app roles give)"
    fi
  fi
fi

# ---------------------------------------------------------------------------------------------------------------
step "Microsoft Graph application permissions of the app's managed identity"
permissions=()
for entry in "${GRAPH_PERMISSIONS[@]}"; do
  name=${entry%%|*}
  if [[ $owners == 0 && $name == "$OWNER_PERMISSION" ]]; then
    say "  skipped (--no-owner-management): $name"
    continue
  fi
  permissions+=("$entry")
done

if [[ -z $identity_id ]]; then
  say "  no managed identity yet (API_IDENTITY_PRINCIPAL_ID is set by 'azd provision'): run this script again after"
  say "  'azd up' to grant:"
  for entry in "${permissions[@]}"; do say "    ${entry%%|*}: ${entry#*|}"; done
else
  graph_sp_id=$(az ad sp show --id "$GRAPH_APP_ID" --query id -o tsv)
  assigned=$(az rest --method GET --url "$GRAPH/servicePrincipals/$identity_id/appRoleAssignments" \
    --query "value[?resourceId=='$graph_sp_id'].appRoleId" -o tsv)
  for entry in "${permissions[@]}"; do
    name=${entry%%|*} why=${entry#*|}
    role_id=$(az ad sp show --id "$GRAPH_APP_ID" \
      --query "appRoles[?value=='$name' && contains(allowedMemberTypes, 'Application')].id | [0]" -o tsv)
    [[ -n $role_id ]] || fail "Microsoft Graph has no application permission '$name'"
    if grep -qx "$role_id" <<<"$assigned"; then
      say "  $name: already granted ($why)"
    else
      change "$name: grant, to $why" az rest --method POST \
        --url "$GRAPH/servicePrincipals/$graph_sp_id/appRoleAssignedTo" --headers 'Content-Type=application/json' \
        --body "{\"principalId\":\"$identity_id\",\"resourceId\":\"$graph_sp_id\",\"appRoleId\":\"$role_id\"}" -o none
    fi
  done
  say "  (tokens the app already holds keep their old permissions for up to 24 hours; restarting the app helps)"
fi

# ---------------------------------------------------------------------------------------------------------------
step "Settings"
if [[ -n ${app_id:-} ]]; then
  say "Set these in the azd environment (then 'azd up' or 'azd provision' applies them):"
  say "  azd env set AUTH_AUDIENCE $app_id"
  say "  azd env set AUTH_TENANT_ID $tenant_id"
  say "  azd env set PORTAL_CLIENT_ID $app_id"
  say "Clients ask Entra ID for the scope api://$app_id/access_as_user (users) or api://$app_id/.default (apps)."
  if [[ -n $app_url ]]; then
    say "The portal signs in with this registration: ${app_url%/}/api/portal/ (azd env get-value PORTAL_URL)."
  else
    say "The portal signs in with this registration: https://<function app host>/api/portal/ once deployed."
  fi
  say "Give people the PimFlow.Admin / PimFlow.Auditor roles in Enterprise applications > $api_name > Users and groups;"
  say "give automation apps a role with --admin-app / --auditor-app (apps with no role are refused)."
fi
