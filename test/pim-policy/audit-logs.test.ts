/**
 * The audit log API: filters, the default 30-day range, paging across months with `@odata.nextLink`, who may read
 * it, and the CSV export (RFC 4180, every page, safe against formula injection), parsed back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../shared/http/csv';
import { DEMO, startPimApp, type ApiCall, type PimApp } from '../pim-harness';
import {
  ADMIN,
  AUDITOR,
  expectProblem,
  FINANCE_GROUP,
  HELPDESK_OWNER,
  manage,
  mustPatch,
  parseCsv,
  PLAIN_USER,
  policyIdOf,
  T,
} from './policy-helpers';

const G = DEMO.helpdeskGroup;
const EVIL = 'e7e7e7e7-0000-4000-8000-00000000e7e7';
const EVIL_UPN = 'formula@pimflow.example';
let app: PimApp;

interface AuditRow {
  id: string;
  category: string;
  activityDateTime: string;
  operationType: string;
  groupId: string | null;
  initiatedBy: { user: { id: string; displayName: string | null } | null };
  additionalDetails: { key: string; value: string }[];
}

async function all(path: string, call: ApiCall = ADMIN): Promise<{ rows: AuditRow[]; pages: number }> {
  const rows: AuditRow[] = [];
  let url: string | undefined = path;
  let pages = 0;
  while (url) {
    const page: { value: AuditRow[]; '@odata.nextLink'?: string } = await app.json(url, call);
    rows.push(...page.value);
    pages++;
    url = page['@odata.nextLink']?.replace(/^.*\/api\//, '');
  }
  return { rows, pages };
}

const q = (filter: string) => `$filter=${encodeURIComponent(filter)}`;

beforeAll(async () => {
  // Late in March, so that the records below fall in two months (two partitions of the audit log).
  app = await startPimApp({ virtualClock: new Date('2026-03-30T09:00:00Z') });
  app.dev.graph.state.change((t) => {
    t.users.push({
      id: EVIL,
      userPrincipalName: EVIL_UPN,
      displayName: '=HYPERLINK("https://evil.example","click")',
      givenName: null,
      surname: null,
      mail: EVIL_UPN,
      jobTitle: null,
      department: null,
      officeLocation: null,
      accountEnabled: true,
      managerId: null,
      createdDateTime: '2025-01-01T00:00:00Z',
      signInActivity: {
        lastSignInDateTime: null,
        lastNonInteractiveSignInDateTime: null,
        lastSuccessfulSignInDateTime: null,
      },
    });
  });
  expect((await manage(app, G)).status).toBe(201); // March, by the admin
  const member = await policyIdOf(app, G, 'member');
  await mustPatch(app, member, 'Expiration_EndUser_Assignment', {
    '@odata.type': T.expiration,
    maximumDuration: 'PT4H',
  });
  await app.rt.clock.advance('P3D'); // April 2
  await mustPatch(
    app,
    member,
    'Enablement_EndUser_Assignment',
    { '@odata.type': T.enablement, enabledRules: ['Justification', 'Ticketing'] },
    { as: EVIL_UPN, roles: ['PimFlow.Admin'] },
  );
  for (const duration of ['PT1H', 'PT2H', 'PT3H']) {
    await mustPatch(app, member, 'Expiration_EndUser_Assignment', {
      '@odata.type': T.expiration,
      maximumDuration: duration,
    });
  }
  expect((await manage(app, FINANCE_GROUP)).status).toBe(201);
});
afterAll(async () => {
  await app?.stop();
});

describe('listing', () => {
  it('lists the last 30 days newest first, across months, page by page', async () => {
    const whole = await all('auditLogs/directoryAudits?$top=999');
    expect(whole.rows).toHaveLength(7);
    const times = whole.rows.map((r) => r.activityDateTime);
    expect([...times].sort().reverse()).toEqual(times);
    expect(times.some((t) => t.startsWith('2026-03'))).toBe(true);
    expect(times.some((t) => t.startsWith('2026-04'))).toBe(true);

    const paged = await all('auditLogs/directoryAudits?$top=2');
    expect(paged.pages).toBeGreaterThanOrEqual(4);
    expect(paged.rows.map((r) => r.id)).toEqual(whole.rows.map((r) => r.id));
    // The same handler answers at /api/auditLogs.
    expect((await all('auditLogs?$top=3')).rows.map((r) => r.id)).toEqual(whole.rows.map((r) => r.id));
  });

  it('filters by category, group, initiator, result and time', async () => {
    const settings = await all(`auditLogs?${q("category eq 'RoleSettings'")}`);
    expect(settings.rows).toHaveLength(5);
    expect(settings.rows.every((r) => r.category === 'RoleSettings')).toBe(true);
    const finance = await all(`auditLogs?groupId=${FINANCE_GROUP}`);
    expect(finance.rows.map((r) => r.operationType)).toEqual(['Add']);
    const byEvil = await all(`auditLogs?initiatedBy=${EVIL}`);
    expect(byEvil.rows).toHaveLength(1);
    const byEvilGraphStyle = await all(`auditLogs?${q(`initiatedBy/user/id eq '${EVIL}'`)}`);
    expect(byEvilGraphStyle.rows.map((r) => r.id)).toEqual(byEvil.rows.map((r) => r.id));
    expect((await all(`auditLogs?${q("result eq 'failure'")}`)).rows).toEqual([]);
    const april = await all(
      `auditLogs?${q("activityDateTime ge 2026-04-01T00:00:00Z and category eq 'RoleSettings'")}`,
    );
    expect(april.rows).toHaveLength(4);
    const march = await all(`auditLogs?${q('activityDateTime le 2026-03-31T23:59:59Z')}`);
    expect(march.rows).toHaveLength(2);
  });

  it('defaults to the last 30 days', async () => {
    await app.rt.clock.advance('P29D'); // May 1: the March records are more than 30 days old
    const recent = await all('auditLogs');
    expect(recent.rows).toHaveLength(5);
    const explicit = await all(`auditLogs?${q('activityDateTime ge 2026-03-01T00:00:00Z')}`);
    expect(explicit.rows).toHaveLength(7);
  });

  it('refuses what it does not understand with 400', async () => {
    for (const query of [
      q("category eq 'Nonsense'"),
      q("targetResources/any(t: t/id eq 'x')"),
      q('activityDateTime ge yesterday'),
      q('activityDateTime ge 2026-04-10T00:00:00Z and activityDateTime le 2026-04-01T00:00:00Z'),
      q("result eq 'maybe'"),
      q("category ne 'RoleSettings'"),
      'groupId=helpdesk',
      'group=x',
      '$top=5000',
      '$orderby=activityDateTime',
      '$skiptoken=not-ours',
      '$format=xml',
    ]) {
      await expectProblem(await app.api(`auditLogs?${query}`, ADMIN), 400);
    }
  });

  it('is for admins and auditors', async () => {
    expect((await app.api('auditLogs', AUDITOR)).status).toBe(200);
    await expectProblem(await app.api('auditLogs', HELPDESK_OWNER), 403);
    await expectProblem(await app.api('auditLogs/directoryAudits', PLAIN_USER), 403);
    await expectProblem(await app.api('auditLogs'), 401);
  });
});

describe('CSV export', () => {
  it('exports every page as RFC 4180 CSV, guarded against formula injection', async () => {
    const range = q('activityDateTime ge 2026-03-01T00:00:00Z');
    const res = await app.api(`auditLogs?${range}&$top=1`, { ...AUDITOR, headers: { accept: 'text/csv' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="pimflow-audit-20260301-20260501.csv"',
    );
    const text = await res.text();
    const [header, ...rows] = parseCsv(text);
    expect(header?.slice(0, 4)).toEqual(['id', 'activityDateTime', 'category', 'activityDisplayName']);
    const json = await all(`auditLogs?${range}`);
    expect(rows.map((r) => r[0])).toEqual(json.rows.map((r) => r.id)); // all 7, not one page of $top=1
    const col = (name: string) => header?.indexOf(name) ?? -1;
    const evilRow = rows.find((r) => r[col('initiatedByUserId')] === EVIL);
    expect(evilRow?.[col('initiatedByDisplayName')]).toBe('\'=HYPERLINK("https://evil.example","click")');
    const details = evilRow?.[col('additionalDetails')] ?? '';
    expect(details).toContain('ruleId=Enablement_EndUser_Assignment');
    expect(details).toContain('enabledRules=["Justification"] → ["Justification","Ticketing"]');
    // Every row has every column.
    expect(rows.every((r) => r.length === header?.length)).toBe(true);

    const viaFormat = await app.api(`auditLogs/directoryAudits?${range}&$format=csv`, ADMIN);
    expect(viaFormat.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await viaFormat.text()).toBe(text);
  });

  it('quotes and escapes cells as RFC 4180 says', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell(null)).toBe('');
    for (const start of ['=', '+', '-', '@', '\t']) expect(csvCell(`${start}1+1`)).toMatch(/^"?'/);
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
    const csv = toCsv(
      ['a', 'b'],
      [
        ['1', 'x"y'],
        ['=cmd', 'multi\nline'],
      ],
    );
    expect(parseCsv(csv)).toEqual([
      ['a', 'b'],
      ['1', 'x"y'],
      ["'=cmd", 'multi\nline'],
    ]);
  });
});
