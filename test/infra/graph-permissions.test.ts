/**
 * The Microsoft Graph permissions infra/scripts/setup-entra.sh grants the managed identity against every Graph
 * request the directory adapter makes: the request paths are read from shared/directory/*.ts, each must match an
 * entry of the table below (from each endpoint's "Permissions" section in the Graph v1.0 reference), and the
 * granted permissions must satisfy every matched entry. A new request path fails here until it is mapped.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { read, ROOT } from './bicep-text';

interface Endpoint {
  /** Matches a normalized path: `{id}` for an encoded id, `{select}` for a $select constant, `{var}` otherwise. */
  pattern: RegExp;
  what: string;
  /** Every inner list must be satisfied by at least one of its permissions. */
  needs: string[][];
}

const READ_USERS = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const READ_MEMBERS = [
  'GroupMember.Read.All',
  'Group.Read.All',
  'GroupMember.ReadWrite.All',
  'Group.ReadWrite.All',
  'Directory.Read.All',
];
/** Owners: Graph's "Add owners" / "Remove group owner" name Group.ReadWrite.All as least privileged. */
const WRITE_OWNERS = ['Group.ReadWrite.All', 'Directory.ReadWrite.All'];
/** "Get unifiedRoleDefinition" / "List unifiedRoleDefinitions", directory provider. */
const READ_ROLES = [
  'RoleManagement.Read.Directory',
  'Directory.Read.All',
  'RoleManagement.ReadWrite.Directory',
  'Directory.ReadWrite.All',
];
/** "Create unifiedRoleAssignment" / "Delete unifiedRoleAssignment", directory provider: nothing else will do. */
const WRITE_ROLE_ASSIGNMENTS = ['RoleManagement.ReadWrite.Directory'];

const ENDPOINTS: Endpoint[] = [
  {
    pattern: /^\/users\/\{id\}\?\$select=id,signInActivity$/,
    what: 'GET user signInActivity',
    needs: [['AuditLog.Read.All'], READ_USERS],
  },
  {
    pattern: /^\/users\/\{id\}\?\$select=id&\$expand=manager\(\$select=\{select\}\)$/,
    what: 'GET user with manager',
    needs: [READ_USERS],
  },
  { pattern: /^\/users\/\{id\}\?\$select=\{select\}$/, what: 'GET user', needs: [READ_USERS] },
  { pattern: /^\/groups\/\{id\}\?\$select=\{select\}$/, what: 'GET group', needs: [READ_MEMBERS] },
  {
    pattern: /^\/directoryObjects\/\{id\}$/,
    what: 'GET directoryObject',
    needs: [['Directory.Read.All', 'Directory.ReadWrite.All']],
  },
  {
    // {var} is members, owners or transitiveMembers.
    pattern: /^\/groups\/\{id\}\/\{var\}\?\$select=[^/]*$/,
    what: 'GET group members / owners / transitiveMembers',
    needs: [READ_MEMBERS],
  },
  {
    // POST .../{members|owners}/$ref and DELETE .../{members|owners}/{id}/$ref: owners need Group.ReadWrite.All.
    pattern: /^\/groups\/\{id\}\/\{var\}(\/\{id\})?\/\$ref$/,
    what: 'add or remove a group member or owner',
    needs: [WRITE_OWNERS],
  },
  {
    pattern: /^\/roleManagement\/directory\/roleDefinitions(\/\{id\})?$/,
    what: 'list or get unifiedRoleDefinition',
    needs: [READ_ROLES],
  },
  {
    // {var} is the optional `?$filter=...` (List unifiedRoleAssignments also names RoleManagement.Read.All).
    pattern: /^\/roleManagement\/directory\/roleAssignments\{var\}$/,
    what: 'list unifiedRoleAssignments',
    needs: [[...READ_ROLES, 'RoleManagement.Read.All']],
  },
  {
    pattern: /^\/roleManagement\/directory\/roleAssignments$/,
    what: 'create unifiedRoleAssignment',
    needs: [WRITE_ROLE_ASSIGNMENTS],
  },
  {
    pattern: /^\/roleManagement\/directory\/roleAssignments\/\{id\}$/,
    what: 'delete unifiedRoleAssignment',
    needs: [WRITE_ROLE_ASSIGNMENTS],
  },
  {
    pattern: /^\/directory\/administrativeUnits\/\{id\}\?\$select=\{select\}$/,
    what: 'get administrativeUnit',
    needs: [
      [
        'AdministrativeUnit.Read.All',
        'Directory.Read.All',
        'AdministrativeUnit.ReadWrite.All',
        'Directory.ReadWrite.All',
      ],
    ],
  },
  // $batch needs nothing itself; each sub-request is authorized as if sent alone (and is one of the paths above).
  { pattern: /^\/\$batch$/, what: 'JSON batch', needs: [] },
];

/** Request paths in the Graph adapter: string literals starting with `/`, with interpolations normalized. */
function graphRequestPaths(): { file: string; raw: string; normalized: string }[] {
  const dir = path.join(ROOT, 'shared', 'directory');
  const out: { file: string; raw: string; normalized: string }[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const code = read(`shared/directory/${file}`)
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const m of code.matchAll(/(['`])(\/[A-Za-z$][^'`\n]*)\1/g)) {
      const raw = m[2] as string;
      const normalized = raw.replace(/\$\{([^}]*)\}/g, (_, expr: string) =>
        /\bseg\(/.test(expr) ? '{id}' : /SELECT/.test(expr) ? '{select}' : '{var}',
      );
      out.push({ file, raw, normalized });
    }
  }
  return out;
}

/** GRAPH_PERMISSIONS=( "Name|why" ... ) in the script, and the one --no-owner-management leaves out. */
function scriptPermissions(): { granted: string[]; ownerPermission: string } {
  const script = read('infra/scripts/setup-entra.sh');
  const block = /^GRAPH_PERMISSIONS=\(\n([\s\S]*?)\n\)/m.exec(script)?.[1] ?? '';
  const granted = [...block.matchAll(/^\s*"([A-Za-z.]+)\|/gm)].map((m) => m[1] as string);
  const ownerPermission = /^OWNER_PERMISSION="([^"]+)"/m.exec(script)?.[1] ?? '';
  return { granted, ownerPermission };
}

function satisfies(granted: readonly string[], needs: string[][]): boolean {
  return needs.every((anyOf) => anyOf.some((p) => granted.includes(p)));
}

describe('Graph permissions granted by setup-entra.sh', () => {
  const paths = graphRequestPaths();
  const { granted, ownerPermission } = scriptPermissions();

  it("finds the adapter's request paths and the script's permissions", () => {
    expect(paths.length).toBeGreaterThanOrEqual(8);
    expect(granted).toEqual(
      expect.arrayContaining([
        'GroupMember.ReadWrite.All',
        'User.Read.All',
        'AuditLog.Read.All',
        'RoleManagement.ReadWrite.Directory',
      ]),
    );
    // The directory-role requests are among those found (graph-roles.ts).
    expect(paths.map((p) => p.normalized)).toEqual(
      expect.arrayContaining([
        '/roleManagement/directory/roleAssignments',
        '/roleManagement/directory/roleAssignments/{id}',
        '/roleManagement/directory/roleAssignments{var}',
      ]),
    );
  });

  it('map every Graph request path the adapter makes (an unmapped path fails)', () => {
    const unmapped = paths.filter((p) => !ENDPOINTS.some((e) => e.pattern.test(p.normalized)));
    expect(unmapped.map((p) => `${p.file}: ${p.raw} (as ${p.normalized})`)).toEqual([]);
  });

  it('cover every mapped request with the permissions granted by default', () => {
    const uncovered = paths.flatMap((p) =>
      ENDPOINTS.filter((e) => e.pattern.test(p.normalized) && !satisfies(granted, e.needs)).map(
        (e) => `${p.raw}: ${e.what} needs ${e.needs.map((n) => n.join(' or ')).join(' and ')}`,
      ),
    );
    expect(uncovered).toEqual([]);
  });

  it('grant only permissions that cover some request the adapter makes', () => {
    const used = new Set(
      paths.flatMap((p) =>
        ENDPOINTS.filter((e) => e.pattern.test(p.normalized)).flatMap((e) => e.needs.flat()),
      ),
    );
    expect(granted.filter((perm) => !used.has(perm))).toEqual([]);
  });

  it('name the owner permission, and grant role management by default (directory roles need it)', () => {
    expect(granted).toContain(ownerPermission);
    expect(ownerPermission).toBe('Group.ReadWrite.All');
    expect(ownerPermission).not.toBe('RoleManagement.ReadWrite.Directory');
  });
});
