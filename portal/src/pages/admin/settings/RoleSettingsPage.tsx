/**
 * Admin · Role settings of one role of a managed resource (`#/admin/settings/group/<groupId>/<member|owner>`,
 * `#/admin/settings/role/<roleDefinitionId>`): seed 002's Activation, Assignment and Notification settings, read from
 * the role's policy (its policy assignment, `$expand=policy($expand=rules)`) and saved by PATCHing each rule the form
 * changed. The API validates (its sentence is shown on the field the rule drives); if any rule is refused, the rules
 * already saved are put back, so a refused save changes nothing. Auditors see the same form, read-only.
 */
import {
  Button,
  Checkbox,
  Field,
  Input,
  Link,
  Radio,
  RadioGroup,
  Select,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useMemo, useState, type ReactNode } from 'react';
import { ApiError, errorMessage } from '../../../api/errors';
import { formatDuration } from '../../../app/format';
import { usePortal } from '../../../app/portal-context';
import type { Route } from '../../../app/router';
import { useResource } from '../../../app/use-resource';
import { ErrorBanner, Page, SuccessBanner } from '../../../components/page';
import { ResourcePicker } from '../resources/ResourcePicker';
import { loadAzureSettings, saveAzureSettings, type AzureSettings } from './azure-settings';
import {
  areaHref,
  groupRoleLabel,
  policyAssignmentPath,
  resourceRoleFrom,
  resourceRoleName,
  type ResourceRole,
} from '../resources/resource-kinds';
import {
  EXPIRY_CHOICES,
  NOTIFICATION_TABLES,
  RULES,
  changedRules,
  formFromRules,
  formProblems,
  notificationRuleId,
  restoreBody,
  type Approver,
  type ApproverType,
  type NotificationSetting,
  type OnActivation,
  type Rule,
  type SettingsForm,
} from './settings-form';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL },
  section: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    '@media (max-width: 600px)': { padding: tokens.spacingHorizontalM },
  },
  heading: { margin: 0, fontSize: tokens.fontSizeBase500 },
  subheading: { margin: 0, fontSize: tokens.fontSizeBase300 },
  narrow: { maxWidth: '24rem' },
  inline: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'flex-end' },
  approvers: { listStyleType: 'none', margin: 0, padding: 0, display: 'grid', gap: tokens.spacingVerticalXS },
  approver: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
  notificationRow: {
    display: 'grid',
    gridTemplateColumns: 'minmax(12rem, 2fr) minmax(9rem, 1fr) minmax(12rem, 2fr) minmax(8rem, 1fr)',
    gap: tokens.spacingHorizontalM,
    alignItems: 'center',
    paddingBlock: tokens.spacingVerticalS,
    borderTop: `1px solid ${tokens.colorNeutralStroke2}`,
    '@media (max-width: 720px)': { gridTemplateColumns: 'minmax(0, 1fr)', gap: tokens.spacingVerticalXS },
  },
  notificationHead: {
    fontWeight: tokens.fontWeightSemibold,
    '@media (max-width: 720px)': { display: 'none' },
  },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
  links: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
  hint: { color: tokens.colorNeutralForeground3 },
  /** Shown on narrow screens, where the table's column headings are hidden; read by screen readers everywhere. */
  narrowOnly: {
    '@media (min-width: 721px)': {
      position: 'absolute',
      width: '1px',
      height: '1px',
      overflow: 'hidden',
      clipPath: 'inset(50%)',
      whiteSpace: 'nowrap',
    },
  },
  checks: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  error: { color: tokens.colorPaletteRedForeground1 },
});

/** A refusal shown under a group of controls (a Field holds one control; these are several). */
function ErrorText(props: { message: string | undefined }) {
  const styles = useStyles();
  if (!props.message) return null;
  return (
    <Text role="alert" className={styles.error}>
      {props.message}
    </Text>
  );
}

export default function RoleSettingsPage(props: { route: Route }) {
  const ref = resourceRoleFrom(props.route.segments.slice(2));
  if (!ref)
    return (
      <ResourcePicker
        area="settings"
        title="Role settings"
        description="Choose the role whose activation, assignment and notification settings you want to see or change."
      />
    );
  return <RoleSettings key={`${ref.kind}/${ref.resourceId}/${ref.role}`} resource={ref} />;
}

interface Loaded {
  name: string;
  policyId: string;
  rules: Rule[];
  /** Azure roles: ARM's policy (saved in its own shape, azure-settings.ts). */
  azure?: AzureSettings;
}

function RoleSettings(props: { resource: ResourceRole }) {
  const { api, isAdmin } = usePortal();
  const styles = useStyles();
  const r = props.resource;
  const loaded = useResource<Loaded>(async () => {
    if (r.kind === 'azure') {
      const azure = await loadAzureSettings(api, r.resourceId, r.role);
      return { ...azure, azure };
    }
    const [name, assignments] = await Promise.all([
      resourceRoleName(api, r),
      api.get<{ value: { policyId: string; policy?: { rules?: Rule[] } }[] }>(policyAssignmentPath(r)),
    ]);
    const assignment = assignments.value[0];
    if (!assignment?.policy?.rules) throw new Error('This role has no settings: it is not under management.');
    return { name, policyId: assignment.policyId, rules: assignment.policy.rules };
  }, [api, r.kind, r.resourceId, r.role]);

  /** The form as edited; undefined while it shows the saved settings. */
  const [edits, setEdits] = useState<SettingsForm>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<string>();
  const [success, setSuccess] = useState<string>();
  const [saving, setSaving] = useState(false);
  const data = loaded.data;
  const savedForm = useMemo(() => (data ? formFromRules(data.rules) : undefined), [data]);
  const form = edits ?? savedForm;

  const readOnly = !isAdmin;
  const title = data ? `Role settings · ${data.name}` : 'Role settings';
  const changes = form && data ? changedRules(form, data.rules) : [];

  const set = <K extends keyof SettingsForm>(key: K, value: SettingsForm[K]) => {
    setEdits((f) => {
      const current = f ?? savedForm;
      return current ? { ...current, [key]: value } : current;
    });
    setSuccess(undefined);
  };
  const setNotification = (ruleId: string, patch: Partial<NotificationSetting>) =>
    setEdits((f) => {
      const base = f ?? savedForm;
      const current = base?.notifications[ruleId];
      return base && current
        ? { ...base, notifications: { ...base.notifications, [ruleId]: { ...current, ...patch } } }
        : base;
    });

  const save = async () => {
    if (!form || !data) return;
    setSuccess(undefined);
    setBanner(undefined);
    const problems = formProblems(form);
    setErrors(problems);
    if (Object.keys(problems).length > 0) {
      setBanner('Nothing was saved: correct the settings marked below.');
      return;
    }
    setSaving(true);
    if (data.azure) {
      try {
        const result = await saveAzureSettings(api, data.azure, changedRules(form, data.rules));
        setErrors(result.refused);
        if (Object.keys(result.refused).length > 0 || result.other) {
          setBanner(result.other ?? 'Nothing was saved: correct the settings marked below.');
          setSaving(false);
          return;
        }
      } catch (err) {
        setBanner(errorMessage(err));
        setSaving(false);
        return;
      }
      await loaded.reload();
      setEdits(undefined);
      setSaving(false);
      setSuccess(`Settings saved for ${data.name}.`);
      return;
    }
    const base = `/policies/roleManagementPolicies/${encodeURIComponent(data.policyId)}/rules/`;
    const refused: Record<string, string> = {};
    const saved: string[] = [];
    let other: string | undefined;
    for (const change of changedRules(form, data.rules)) {
      try {
        await api.patch(base + encodeURIComponent(change.ruleId), change.body);
        saved.push(change.ruleId);
      } catch (err) {
        if (err instanceof ApiError && err.status === 400) refused[change.ruleId] = fieldSentences(err);
        else other = errorMessage(err);
      }
    }
    if (Object.keys(refused).length > 0 || other) {
      // Put back what was saved, so a refused save leaves the role as it was.
      for (const ruleId of saved) {
        const stored = data.rules.find((x) => x.id === ruleId);
        if (stored)
          await api.patch(base + encodeURIComponent(ruleId), restoreBody(stored)).catch(() => undefined);
      }
      setErrors(refused);
      setBanner(other ?? 'Nothing was saved: correct the settings marked below.');
      setSaving(false);
      return;
    }
    setErrors({});
    await loaded.reload();
    setEdits(undefined);
    setSaving(false);
    setSuccess(`Settings saved for ${data.name}.`);
  };

  const cancel = () => {
    setEdits(undefined);
    setErrors({});
    setBanner(undefined);
  };

  return (
    <Page
      title={title}
      description={
        r.kind === 'group'
          ? 'These settings apply to every assignment of this role in this group.'
          : r.kind === 'azure'
            ? 'These settings apply to assignments of this Azure role at this scope.'
            : 'These settings apply to every assignment of this Microsoft Entra role, at every scope.'
      }
      error={loaded.error}
      loading={loaded.loading}
      actions={
        <span className={styles.links}>
          <Link href={areaHref('assignments', r)}>Assignments of this role</Link>
          {r.kind === 'group'
            ? (['member', 'owner'] as const)
                .filter((role) => role !== r.role)
                .map((role) => (
                  <Link key={role} href={areaHref('settings', { ...r, role })}>
                    {groupRoleLabel(role)} settings
                  </Link>
                ))
            : null}
        </span>
      }
    >
      <SuccessBanner message={success} />
      <ErrorBanner message={banner} />
      {readOnly ? <Text>You can see these settings; only admins can change them.</Text> : null}
      {form && data ? (
        <form
          className={styles.form}
          noValidate
          aria-label="Role settings"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <Section title="Activation" id="activation">
            <Field
              className={styles.narrow}
              label="Activation maximum duration (hours)"
              hint="From 0.5 to 24 hours."
              validationMessage={errors[RULES.activationExpiration]}
            >
              <Input
                type="number"
                inputMode="decimal"
                value={form.maximumActivationHours}
                onChange={(_, d) => set('maximumActivationHours', d.value)}
                disabled={readOnly}
              />
            </Field>
            <Field label="On activation, require">
              <RadioGroup
                value={form.onActivation}
                onChange={(_, d) => set('onActivation', d.value as OnActivation)}
                disabled={readOnly}
              >
                <Radio value="none" label="None" />
                <Radio value="mfa" label="Azure MFA" />
                <Radio
                  value="authenticationContext"
                  label="Microsoft Entra Conditional Access authentication context"
                />
              </RadioGroup>
            </Field>
            {form.onActivation === 'authenticationContext' ? (
              <Field
                className={styles.narrow}
                label="Authentication context"
                hint="The context's id in Conditional Access, c1 to c99."
                validationMessage={errors[RULES.authenticationContext]}
              >
                <Input
                  value={form.claimValue}
                  onChange={(_, d) => set('claimValue', d.value)}
                  disabled={readOnly}
                />
              </Field>
            ) : null}
            <div className={styles.checks}>
              <Checkbox
                label="Require justification on activation"
                checked={form.requireJustification}
                onChange={(_, d) => set('requireJustification', d.checked === true)}
                disabled={readOnly}
              />
              <Checkbox
                label="Require ticket information on activation"
                checked={form.requireTicket}
                onChange={(_, d) => set('requireTicket', d.checked === true)}
                disabled={readOnly}
              />
              <ErrorText message={errors[RULES.activationEnablement]} />
            </div>
            <Checkbox
              label="Require approval to activate"
              checked={form.requireApproval}
              onChange={(_, d) => set('requireApproval', d.checked === true)}
              disabled={readOnly}
            />
            <Approvers
              resource={r}
              approvers={form.approvers}
              onChange={(a) => set('approvers', a)}
              error={errors[RULES.approval]}
              readOnly={readOnly}
              defaultNote={
                r.kind === 'role'
                  ? 'None: Global Administrators and Privileged Role Administrators approve.'
                  : r.kind === 'azure'
                    ? "None: the resource's Owners and User Access Administrators approve."
                    : 'None'
              }
            />
          </Section>

          <Section title="Assignment" id="assignment">
            <ExpiryField
              kind="eligible"
              permanent={form.allowPermanentEligible}
              days={form.eligibleExpiryDays}
              onPermanent={(v) => set('allowPermanentEligible', v)}
              onDays={(v) => set('eligibleExpiryDays', v)}
              error={errors[RULES.eligibleExpiration]}
              readOnly={readOnly}
            />
            <ExpiryField
              kind="active"
              permanent={form.allowPermanentActive}
              days={form.activeExpiryDays}
              onPermanent={(v) => set('allowPermanentActive', v)}
              onDays={(v) => set('activeExpiryDays', v)}
              error={errors[RULES.activeExpiration]}
              readOnly={readOnly}
            />
            <div className={styles.checks}>
              <Checkbox
                label="Require Azure Multi-Factor Authentication on active assignment"
                checked={form.requireMfaOnActive}
                onChange={(_, d) => set('requireMfaOnActive', d.checked === true)}
                disabled={readOnly}
              />
              <Checkbox
                label="Require justification on active assignment"
                checked={form.requireJustificationOnActive}
                onChange={(_, d) => set('requireJustificationOnActive', d.checked === true)}
                disabled={readOnly}
              />
              <ErrorText message={errors[RULES.activeEnablement]} />
            </div>
          </Section>

          <Section title="Notifications" id="notifications">
            {NOTIFICATION_TABLES.map((table) => (
              <div key={table.event} role="group" aria-labelledby={`n-${table.event}`}>
                <h3 id={`n-${table.event}`} className={styles.subheading}>
                  {table.title}
                </h3>
                <div className={`${styles.notificationRow} ${styles.notificationHead}`} aria-hidden="true">
                  <span>Type</span>
                  <span>Default recipients</span>
                  <span>Additional recipients</span>
                  <span>Critical emails only</span>
                </div>
                {table.rows.map((row) => {
                  const ruleId = notificationRuleId(row.recipient, table.event);
                  const n = form.notifications[ruleId];
                  if (!n) return null;
                  const label = `${row.type} (${table.title.toLowerCase().replace('send notifications when ', '')})`;
                  return (
                    <div key={ruleId} className={styles.notificationRow} role="group" aria-label={label}>
                      <Text weight="semibold">{row.type}</Text>
                      <Checkbox
                        label={row.defaultRecipients}
                        checked={n.defaultRecipients}
                        onChange={(_, d) =>
                          setNotification(ruleId, { defaultRecipients: d.checked === true })
                        }
                        disabled={readOnly}
                      />
                      <Field
                        label={{
                          children: `Additional recipients: ${row.type}`,
                          className: styles.narrowOnly,
                        }}
                        validationMessage={errors[ruleId]}
                      >
                        <Input
                          value={n.additional}
                          placeholder="name@example.com, …"
                          onChange={(_, d) => setNotification(ruleId, { additional: d.value })}
                          disabled={readOnly}
                        />
                      </Field>
                      <Checkbox
                        label="Critical emails only"
                        checked={n.criticalOnly}
                        onChange={(_, d) => setNotification(ruleId, { criticalOnly: d.checked === true })}
                        disabled={readOnly}
                      />
                    </div>
                  );
                })}
              </div>
            ))}
          </Section>

          {readOnly ? null : (
            <div className={styles.actions}>
              <Button appearance="primary" type="submit" disabled={saving || changes.length === 0}>
                {saving ? 'Saving…' : 'Save'}
              </Button>
              <Button onClick={cancel} disabled={saving || changes.length === 0}>
                Cancel
              </Button>
              <Text className={styles.hint} aria-live="polite">
                {changes.length === 0
                  ? 'No unsaved changes.'
                  : `${changes.length} setting${changes.length === 1 ? '' : 's'} changed, not saved yet.`}
              </Text>
            </div>
          )}
        </form>
      ) : null}
    </Page>
  );
}

/** The API's sentences for a refused rule: each field's message, else the whole message. */
function fieldSentences(err: ApiError): string {
  const messages = Object.values(err.fields).map((m) => {
    const t = m.trim();
    const s = t.charAt(0).toUpperCase() + t.slice(1);
    return /[.!?]$/.test(s) ? s : `${s}.`;
  });
  return messages.length > 0 ? messages.join(' ') : err.message;
}

function Section(props: { title: string; id: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <section className={styles.section} aria-labelledby={`section-${props.id}`}>
      <h2 id={`section-${props.id}`} className={styles.heading}>
        {props.title}
      </h2>
      {props.children}
    </section>
  );
}

function ExpiryField(props: {
  kind: 'eligible' | 'active';
  permanent: boolean;
  days: number;
  onPermanent: (v: boolean) => void;
  onDays: (v: number) => void;
  error: string | undefined;
  readOnly: boolean;
}) {
  const styles = useStyles();
  const choices = EXPIRY_CHOICES.some((c) => c.days === props.days)
    ? EXPIRY_CHOICES
    : [...EXPIRY_CHOICES, { days: props.days, label: formatDuration(`P${props.days}D`) }].sort(
        (a, b) => a.days - b.days,
      );
  return (
    <>
      <Checkbox
        label={`Allow permanent ${props.kind} assignment`}
        checked={props.permanent}
        onChange={(_, d) => props.onPermanent(d.checked === true)}
        disabled={props.readOnly}
      />
      <Field
        className={styles.narrow}
        label={`Expire ${props.kind} assignments after`}
        hint={props.permanent ? 'Applies when permanent assignments are not allowed.' : undefined}
        validationMessage={props.error}
      >
        <Select
          value={String(props.days)}
          onChange={(_, d) => props.onDays(Number(d.value))}
          disabled={props.readOnly || props.permanent}
        >
          {choices.map((c) => (
            <option key={c.days} value={c.days}>
              {c.label}
            </option>
          ))}
        </Select>
      </Field>
    </>
  );
}

const APPROVER_TYPES: { type: ApproverType; label: string }[] = [
  { type: 'singleUser', label: 'User' },
  { type: 'groupMembers', label: 'Members of a group' },
  { type: 'groupOwners', label: 'Other owners of this group' },
];

function Approvers(props: {
  resource: ResourceRole;
  approvers: Approver[];
  onChange: (a: Approver[]) => void;
  error: string | undefined;
  readOnly: boolean;
  defaultNote: string;
}) {
  const styles = useStyles();
  const types = APPROVER_TYPES.filter((t) => t.type !== 'groupOwners' || props.resource.kind === 'group');
  const [type, setType] = useState<ApproverType>('singleUser');
  const [id, setId] = useState('');
  const [problem, setProblem] = useState<string>();
  const add = () => {
    const objectId = type === 'groupOwners' ? props.resource.resourceId : id.trim();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(objectId)) {
      setProblem("Enter the approver's object id (a GUID, as the Entra admin center shows it).");
      return;
    }
    if (props.approvers.some((a) => a.type === type && a.id.toLowerCase() === objectId.toLowerCase())) {
      setProblem('That approver is already in the list.');
      return;
    }
    setProblem(undefined);
    setId('');
    props.onChange([...props.approvers, { type, id: objectId }]);
  };
  const describe = (a: Approver) =>
    `${APPROVER_TYPES.find((t) => t.type === a.type)?.label ?? a.type}${a.type === 'groupOwners' ? '' : `: ${a.description ?? a.id}`}`;
  return (
    <div role="group" aria-labelledby="approvers-label" className={styles.checks}>
      <Text id="approvers-label" weight="semibold">
        Approvers
      </Text>
      <div>
        {props.approvers.length === 0 ? (
          <Text>{props.defaultNote}</Text>
        ) : (
          <ul className={styles.approvers}>
            {props.approvers.map((a) => (
              <li key={`${a.type}:${a.id}`} className={styles.approver}>
                <Text>{describe(a)}</Text>
                {props.readOnly ? null : (
                  <Button
                    size="small"
                    aria-label={`Remove approver ${describe(a)}`}
                    onClick={() => props.onChange(props.approvers.filter((x) => x !== a))}
                  >
                    Remove
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
        {props.readOnly ? null : (
          <div className={styles.inline}>
            <Field label="Approver type">
              <Select value={type} onChange={(_, d) => setType(d.value as ApproverType)}>
                {types.map((t) => (
                  <option key={t.type} value={t.type}>
                    {t.label}
                  </option>
                ))}
              </Select>
            </Field>
            {type === 'groupOwners' ? null : (
              <Field
                label={type === 'singleUser' ? "Approver's user object id" : "Approver group's object id"}
              >
                <Input value={id} onChange={(_, d) => setId(d.value)} autoComplete="off" />
              </Field>
            )}
            <Button onClick={add}>Add approver</Button>
          </div>
        )}
      </div>
      <ErrorText message={props.error ?? problem} />
    </div>
  );
}
