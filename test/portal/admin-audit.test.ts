/**
 * The portal's audit log and drift pages, and the auditor's read-only admin pages, in headless Chromium against the
 * whole app (test/portal/portal-harness.ts):
 * - an admin's changes made through the API (a group brought under management, someone assigned, settings changed)
 *   are found on Admin · Audit log by filtering by actor and category (and not another admin's), page by page through
 *   @odata.nextLink, with an entry's details; Export CSV downloads the API's CSV holding exactly those rows;
 * - Admin · Drift: a member added straight in the Graph stand-in shows up after the admin runs a drift check from the
 *   page; the "remove" setting switched on the page is the group's setting in the API;
 * - the auditor opens every admin area and finds no enabled control that changes anything (generic: every enabled
 *   button must have a name that only reads or navigates), and the auditor's own token is refused a change (403).
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeInBrowser } from '../browser';
import { DEMO } from '../pim-harness';
import { ADMIN, BASE, manageGroup } from '../pim/pim-scenario';
import { expectAccessible, startPortalTest, type PortalTest } from './portal-harness';

const HELPDESK = DEMO.helpdeskGroup; // baseline members: sofia, emma, noah
const SRE = 'da21b0b8-a527-4b3f-a29b-9d7ddf61cb44';
/** Another admin: their changes must not show when filtering by the first admin. */
const OTHER_ADMIN = { as: 'marcus.johnson@pimflow.example', roles: ['PimFlow.Admin'], amr: ['pwd', 'mfa'] };
/**
 * The demo auditor: the demo user the identity stand-in's sign-in gives the PimFlow.Auditor app role
 * (local/dev-environment.ts).
 */
const AUDITOR_UPN = 'ruby.walsh@pimflow.example';

/**
 * Admin areas (Admin sub-navigation link names) and the names of buttons that only read or navigate. Every enabled
 * button an auditor sees must be one of these (or a disclosure: `aria-expanded`, which only shows or hides).
 */
const ADMIN_AREAS = ['Resources', 'Role settings', 'Assignments', 'Access reviews', 'Drift', 'Audit log'];
const READ_ONLY_BUTTONS =
  /^(Sign out|Filter|Clear filters|Search|Export CSV|Download CSV|Download|Next page|Previous page|First page|Show more|Show less|Load more|Refresh|Close|Back|Cancel|Details( of .*)?|View( .*)?|Open( .*)?)$/;

interface AuditView {
  id: string;
  category: string;
  activityDisplayName: string;
  initiatedBy: { user: { id: string } | null };
}

let portal: PortalTest;

// The page answers in its own time on a busy machine (a few helpers' browsers share two cores): polls wait longer
// than expect.poll's one second, the harness' sign-in included.
vi.setConfig({ expect: { poll: { timeout: 15_000, interval: 100 } } });

beforeAll(async () => {
  portal = await startPortalTest();
}, 120_000);
afterAll(async () => {
  await portal?.close();
});

async function admin(path: string, body?: unknown, method?: string): Promise<void> {
  const res = await portal.app.api(path, { ...ADMIN, body, ...(method ? { method } : {}) });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
}

async function auditIds(filter: string): Promise<string[]> {
  const list = await portal.app.json<{ value: AuditView[] }>(
    `auditLogs/directoryAudits?$top=999&$filter=${encodeURIComponent(filter)}`,
    ADMIN,
  );
  return list.value.map((e) => e.id);
}

/** The table's rows (header excluded), each as its cells' texts. */
async function rows(page: Page): Promise<string[][]> {
  const table = page.getByRole('table', { name: 'Audit entries' });
  if ((await table.count()) === 0) return [];
  return table
    .getByRole('row')
    .filter({ has: page.getByRole('cell') })
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())),
    );
}

async function openAdminArea(page: Page, area: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Admin' })
    .getByRole('link', { name: area, exact: true })
    .click();
  await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBeTruthy();
  // Loaded: no spinner left (Fluent's Spinner is a progressbar).
  await expect.poll(() => page.getByRole('progressbar').count(), { timeout: 15_000 }).toBe(0);
}

/** RFC 4180, as the API writes it: CRLF rows, quoted cells with doubled quotes. */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      out.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) out.push([...row, cell]);
  return out;
}

/** The page fits the viewport's width (nothing to scroll sideways but the table's own container). */
async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

describeInBrowser('Admin · Audit log and Drift in the portal', () => {
  it('finds the admin’s changes by actor and category, pages through them, shows details and exports them as CSV', async () => {
    const app = portal.app;
    const adminUser = app.user(DEMO.adminUpn);
    const assignee = app.user('olivia.carter');
    // What the admin does through the API: a group under management, someone assigned to it, and a setting changed
    // back and forth (60 audit records: more than one page of the portal's 50).
    await admin('managedGroups', { groupId: HELPDESK });
    await admin(`${BASE}/assignmentScheduleRequests`, {
      action: 'adminAssign',
      accessId: 'member',
      groupId: HELPDESK,
      principalId: assignee.id,
      justification: 'on call this month',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
    });
    for (let i = 0; i < 60; i++) {
      await admin(`managedGroups/${HELPDESK}`, { removeMembersAddedOutsidePim: i % 2 === 0 }, 'PATCH');
    }
    // Another admin's change in the same category.
    const other = await app.api('managedGroups', { ...OTHER_ADMIN, body: { groupId: SRE } });
    expect(other.status, await other.clone().text()).toBe(201);
    await app.rt.waitForIdle();

    const mine = `category eq 'GroupManagement' and initiatedBy/user/id eq '${adminUser.id}'`;
    const expected = await auditIds(mine);
    expect(expected.length).toBe(61); // brought under management + 60 setting changes
    // The assignment, once in force: category Membership, initiated by the admin.
    const memberships = await auditIds(
      `category eq 'Membership' and initiatedBy/user/id eq '${adminUser.id}'`,
    );
    expect(memberships.length).toBe(1);

    const page = await portal.open(DEMO.adminUpn, { route: '#/admin/audit' });
    await expect
      .poll(() => page.getByRole('heading', { level: 1, name: 'Audit log' }).isVisible())
      .toBe(true);
    await expect.poll(async () => (await rows(page)).length).toBeGreaterThan(0);
    await expectAccessible(page, 'audit log');

    // Filter by category and actor (the admin's object id: the API filters it), submitted from the keyboard.
    await page.getByLabel('Category', { exact: true }).selectOption({ label: 'Group management' });
    const actor = page.getByRole('textbox', { name: /^Actor/ });
    await actor.fill(adminUser.id);
    await actor.press('Enter');
    await expect
      .poll(async () =>
        (await rows(page)).every((r) => r[2] === 'Group management' && r[3] === adminUser.displayName),
      )
      .toBe(true);
    const first = await rows(page);
    expect(first).toHaveLength(50);
    expect(first.some((r) => r[4]?.includes('SRE On-Call'))).toBe(false);

    // The next page (the API's @odata.nextLink) holds the rest, the oldest last: bringing the group under management.
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(async () => (await rows(page)).length).toBe(11);
    const second = await rows(page);
    expect(second.at(-1)?.[1]).toBe('Bring group under PIM management');
    expect(second.at(-1)?.[4]).toContain('Helpdesk Admin-Group');
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(async () => (await rows(page)).length).toBe(50);
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(async () => (await rows(page)).length).toBe(11);

    // An entry's details, opened and closed with the keyboard.
    await page.getByRole('button', { name: /^Details of Bring group under PIM management/ }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    const details = (await dialog.textContent()) ?? '';
    expect(details).toContain(adminUser.userPrincipalName);
    expect(details).toContain(adminUser.id);
    expect(details).toContain(HELPDESK);
    await expectAccessible(page, 'audit entry details');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);

    // Export CSV: the API's file for the same filter, downloaded; exactly the admin's GroupManagement rows.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^pimflow-audit-\d{8}-\d{8}\.csv$/);
    const csv = parseCsv(readFileSync(await download.path(), 'utf8'));
    const [header, ...data] = csv;
    expect(header).toContain('id');
    const col = (name: string) => (header ?? []).indexOf(name);
    expect(data.map((r) => r[col('id')]).sort()).toEqual([...expected].sort());
    for (const r of data) {
      expect(r[col('category')]).toBe('GroupManagement');
      expect(r[col('initiatedByUserId')]).toBe(adminUser.id);
    }
    expect(data.some((r) => r[col('activityDisplayName')] === 'Bring group under PIM management')).toBe(true);

    // Without the actor: the other admin's change is there too; by their name (filtered in the browser) only theirs.
    await actor.fill('');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(async () => (await rows(page)).some((r) => r[4]?.includes('SRE On-Call'))).toBe(true);
    await actor.fill('Marcus');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect
      .poll(async () => (await rows(page)).map((r) => r[3]))
      .toEqual([app.user('marcus.johnson').displayName]);
    await expect.poll(() => page.getByText(/filtered in your browser/).isVisible()).toBe(true);

    // The admin's assignment: another category, the same actor.
    await page.getByLabel('Category', { exact: true }).selectOption({ label: 'Membership' });
    await actor.fill(adminUser.id);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(async () => (await rows(page)).length).toBe(1);
    const [assigned] = await rows(page);
    expect(assigned?.[1]).toMatch(/\(PIM assignment\)$/);
    expect(assigned?.[2]).toBe('Membership');
    expect(assigned?.[4]).toContain(HELPDESK); // the record names its targets by id only
    expect(assigned?.[4]).toContain(assignee.id);

    // Dates: a range that ends before today has none of it; an inverted range is refused on the field.
    const [today, lastYear] = await page.evaluate(() => [
      new Date().toLocaleDateString('en-CA'),
      new Date(Date.now() - 400 * 86_400_000).toLocaleDateString('en-CA'),
    ]);
    await page.getByLabel('From', { exact: true }).fill(lastYear);
    await page.getByLabel('To', { exact: true }).fill(lastYear);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => page.getByText('No entries match.').isVisible()).toBe(true);
    await page.getByLabel('From', { exact: true }).fill(today);
    await page.getByLabel('To', { exact: true }).fill(lastYear);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => page.getByText('The end date is before the start date.').isVisible()).toBe(true);
    await page.getByLabel('To', { exact: true }).fill(today);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(async () => (await rows(page)).length).toBe(1);

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(async () => (await rows(page)).length).toBe(50);
    await portal.screenshot(page, 'admin-audit');
    expect(portal.problems(page)).toEqual([]);
  }, 180_000);

  it('shows drift found by a check the admin runs from the page, and switches the group’s removal setting', async () => {
    const app = portal.app;
    await manageGroup(app, HELPDESK); // (the test above brought it under management already)
    await admin(`managedGroups/${HELPDESK}`, { removeMembersAddedOutsidePim: false }, 'PATCH');
    const henry = app.user('henry.taylor');
    // Someone adds Henry straight in Entra ID (the Graph stand-in): outside pimflow.
    await app.dev.graph.state.change((data) => {
      const group = data.groups.find((g) => g.id === HELPDESK);
      if (!group) throw new Error('no helpdesk group');
      if (!group.members.includes(henry.id)) group.members.push(henry.id);
    });

    const page = await portal.open(DEMO.adminUpn, { route: '#/admin/drift' });
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'Drift' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Run drift check' }).click();
    await expect
      .poll(() => page.getByText(/^Drift check finished:/).isVisible(), { timeout: 60_000 })
      .toBe(true);
    const differences = page.getByRole('list', { name: 'Differences in Helpdesk Admin-Group' });
    await expect
      .poll(() => differences.getByRole('listitem').filter({ hasText: 'Henry Taylor' }).count())
      .toBe(1);
    const henryItem = differences.getByRole('listitem').filter({ hasText: 'Henry Taylor' });
    expect(await henryItem.textContent()).toMatch(/Added outside pimflow/);
    expect(await henryItem.textContent()).toMatch(/Member/);
    expect(await henryItem.textContent()).toMatch(/Not removed: this resource only reports/);
    // What the API reports, the page shows.
    const api = await app.json<{ value: { differences: { principalId: string; kind: string }[] }[] }>(
      `driftReports?$filter=${encodeURIComponent(`groupId eq '${HELPDESK}'`)}`,
      ADMIN,
    );
    expect(api.value[0]?.differences).toContainEqual(
      expect.objectContaining({ principalId: henry.id, kind: 'addedOutsidePim' }),
    );
    await expectAccessible(page, 'drift');
    await portal.screenshot(page, 'admin-drift');

    // The group's setting, switched on the page, is the group's setting in the API.
    const setting = page.getByRole('switch', {
      name: /Remove members added outside pimflow: Helpdesk Admin-Group/,
    });
    expect(await setting.isChecked()).toBe(false);
    await setting.check();
    await expect
      .poll(
        async () =>
          (await app.json<{ removeMembersAddedOutsidePim: boolean }>(`managedGroups/${HELPDESK}`, ADMIN))
            .removeMembersAddedOutsidePim,
      )
      .toBe(true);
    await expect.poll(() => setting.isChecked()).toBe(true);
    expect(portal.problems(page)).toEqual([]);
  }, 120_000);

  it('drift and audit log on a phone (390 × 844): usable, accessible, nothing wider than the screen', async () => {
    const page = await portal.open(DEMO.adminUpn, { route: '#/admin/drift', viewport: 'phone' });
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'Drift' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('progressbar').count(), { timeout: 15_000 }).toBe(0);
    expect(await fitsWidth(page)).toBe(true);
    await expectAccessible(page, 'drift (phone)');
    await portal.screenshot(page, 'admin-drift');
    await openAdminArea(page, 'Audit log');
    await expect.poll(async () => (await rows(page)).length).toBeGreaterThan(0);
    expect(await fitsWidth(page)).toBe(true);
    await expectAccessible(page, 'audit log (phone)');
    await portal.screenshot(page, 'admin-audit');
    expect(portal.problems(page)).toEqual([]);
  }, 120_000);

  it('the auditor sees every admin area with no enabled control that changes anything, and the API refuses them', async () => {
    await manageGroup(portal.app, HELPDESK);
    await admin(`managedGroups/${HELPDESK}`, { removeMembersAddedOutsidePim: true }, 'PATCH');
    const page = await portal.open(AUDITOR_UPN, { route: '#/admin/resources' });
    // The auditor's own token, as the portal sends it.
    const token = new Promise<string>((resolve) => {
      page.on('request', (r) => {
        const auth = r.headers().authorization;
        if (auth?.startsWith('Bearer ') && r.url().includes('/api/')) resolve(auth);
      });
    });
    for (const area of ADMIN_AREAS) {
      await openAdminArea(page, area);
      const changing: string[] = [];
      for (const button of await page.getByRole('button', { disabled: false }).all()) {
        if (!(await button.isVisible())) continue;
        if ((await button.getAttribute('aria-expanded')) !== null) continue;
        const name =
          /^- button "(.*)"/.exec(await button.ariaSnapshot())?.[1] ?? (await button.textContent());
        if (!READ_ONLY_BUTTONS.test(name ?? '')) changing.push(`button "${name}"`);
      }
      for (const control of await page.getByRole('switch', { disabled: false }).all()) {
        if (await control.isVisible()) changing.push(`switch "${await control.getAttribute('aria-label')}"`);
      }
      expect(changing, `enabled controls that change something on Admin · ${area}`).toEqual([]);
      await expectAccessible(page, `Admin · ${area} (auditor)`);
    }
    // The drift page shows the removal settings to the auditor, switched off for them.
    await openAdminArea(page, 'Drift');
    await expect.poll(() => page.getByRole('switch').count()).toBeGreaterThan(0);
    for (const s of await page.getByRole('switch').all()) expect(await s.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Run drift check' }).count()).toBe(0);

    const bearer = await token;
    const api = portal.app.rt.urls.api;
    const send = (path: string, method: string, body?: unknown) =>
      fetch(`${api}/${path}`, {
        method,
        headers: { authorization: bearer, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    // The token reads (so the refusals below are about the role, not a bad token)...
    expect((await send('auditLogs/directoryAudits?$top=1', 'GET')).status).toBe(200);
    // ...and every change is refused.
    expect((await send('driftChecks', 'POST', {})).status).toBe(403);
    expect(
      (await send(`managedGroups/${HELPDESK}`, 'PATCH', { removeMembersAddedOutsidePim: false })).status,
    ).toBe(403);
    expect((await send('managedGroups', 'POST', { groupId: SRE })).status).toBe(403);
    const stillOn = await portal.app.json<{ removeMembersAddedOutsidePim: boolean }>(
      `managedGroups/${HELPDESK}`,
      ADMIN,
    );
    expect(stillOn.removeMembersAddedOutsidePim).toBe(true);
    expect(portal.problems(page)).toEqual([]);
  }, 180_000);
});
