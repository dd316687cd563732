/**
 * New access review, step by step as seed 000 walks it: Review type (which roles, which assignments, which
 * principals) → Reviewers → Settings (name, schedule, upon completion, advanced) → Review + create. Each step is
 * checked by the API's rules before the next one; a refusal from the API goes back to the step and field it names.
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
  Switch,
  Text,
  Textarea,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, errorMessage } from '../../../api/errors';
import { usePortal } from '../../../app/portal-context';
import { hrefFor, navigate } from '../../../app/router';
import { useResource } from '../../../app/use-resource';
import { ErrorBanner, Page } from '../../../components/page';
import { CheckGroup } from './CheckGroup';
import { FactList } from './Facts';
import { PeoplePicker } from './PeoplePicker';
import {
  DEFAULT_DECISIONS,
  DEFINITIONS,
  FREQUENCIES,
  type Definition,
  type ManagedGroup,
  type ManagedRole,
} from './review-api';
import {
  STEPS,
  definitionBody,
  emails,
  fieldMessage,
  fieldOfApiError,
  initialState,
  stepOf,
  validateAll,
  validateStep,
  type FieldErrors,
  type FieldName,
  type WizardState,
} from './wizard-model';
import { listAll } from '../../../api/odata';

const useStyles = makeStyles({
  steps: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalS,
    listStyleType: 'none',
    margin: 0,
    padding: 0,
  },
  stepCurrent: {
    fontWeight: tokens.fontWeightSemibold,
    boxShadow: `inset 0 -2px 0 ${tokens.colorBrandStroke1}`,
  },
  card: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusLarge,
    boxShadow: tokens.shadow4,
    maxWidth: '760px',
    '@media (max-width: 600px)': { padding: tokens.spacingHorizontalM },
  },
  h2: { margin: 0, fontSize: tokens.fontSizeBase500, ':focus': { outlineStyle: 'none' } },
  h3: { margin: `${tokens.spacingVerticalS} 0 0`, fontSize: tokens.fontSizeBase400 },
  choices: { display: 'flex', flexDirection: 'column', maxHeight: '320px', overflowY: 'auto' },
  short: { maxWidth: '220px' },
  buttons: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
});

interface Options {
  roles: ManagedRole[];
  groups: ManagedGroup[];
  /** Users by id → name: the admin, and the users holding the roles under management. */
  people: Map<string, string>;
}

export function CreateReview() {
  const styles = useStyles();
  const { api, me, isAdmin } = usePortal();
  const [step, setStep] = useState(0);
  const [state, setState] = useState<WizardState>(() => initialState());
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const firstStepShown = useRef(true);

  const options = useResource<Options>(async () => {
    const [roles, groups] = await Promise.all([
      listAll<ManagedRole>(api, '/managedRoles?$top=999'),
      listAll<ManagedGroup>(api, '/managedGroups?$top=999'),
    ]);
    const people = new Map<string, string>([
      [me.id.toLowerCase(), `${me.displayName ?? me.userPrincipalName} (you)`],
    ]);
    // The baselines name who holds each role: the people most likely to be asked to review.
    const detailed = await Promise.all(
      roles
        .slice(0, 20)
        .map((r) => api.get<ManagedRole>(`/managedRoles/${r.roleDefinitionId}`).catch(() => r)),
    );
    for (const r of detailed)
      for (const a of r.baselineAssignments ?? [])
        if (a.type === 'user' && !people.has(a.principalId.toLowerCase()))
          people.set(a.principalId.toLowerCase(), a.displayName);
    return { roles, groups, people };
  }, [api, me.id]);

  useEffect(() => {
    if (firstStepShown.current) {
      firstStepShown.current = false;
      return;
    }
    heading.current?.focus();
  }, [step]);

  if (!isAdmin)
    return (
      <Page
        title="New access review"
        error="Only administrators can create access reviews: you can read them."
      >
        <Link href={hrefFor('admin', 'reviews')}>Back to access reviews</Link>
      </Page>
    );

  const set = (patch: Partial<WizardState>) => setState((s) => ({ ...s, ...patch }));
  const clear = (...fields: FieldName[]) =>
    setErrors((e) => {
      const copy = { ...e };
      for (const f of fields) delete copy[f];
      return copy;
    });
  const message = (f: FieldName) => errors[f];
  const state_ = (f: FieldName) => (errors[f] ? ('error' as const) : ('none' as const));

  const next = () => {
    const found = validateStep(step, state);
    setErrors(found);
    if (Object.keys(found).length === 0) setStep(step + 1);
  };

  const create = async () => {
    const found = validateAll(state);
    if (Object.keys(found).length > 0) {
      setErrors(found);
      setStep(Math.min(...Object.keys(found).map((f) => stepOf(f as FieldName))));
      return;
    }
    setSaving(true);
    setErrors({});
    try {
      const created = await api.post<Definition>(DEFINITIONS, definitionBody(state));
      navigate('admin', 'reviews', created.id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        const field = fieldOfApiError(err);
        setErrors({ [field]: field === 'form' ? err.message : fieldMessage(err) });
        setStep(stepOf(field));
      } else setErrors({ form: errorMessage(err) });
    } finally {
      setSaving(false);
    }
  };

  const people = options.data?.people ?? new Map<string, string>();
  const roleChoices: { value: string; label: string }[] =
    state.kind === 'roles'
      ? (options.data?.roles ?? []).map((r) => ({ value: r.roleDefinitionId, label: r.displayName }))
      : (options.data?.groups ?? []).flatMap((g) => [
          { value: `${g.groupId}:member`, label: `${g.displayName} · Member` },
          { value: `${g.groupId}:owner`, label: `${g.displayName} · Owner` },
        ]);
  const toggle = <T,>(list: T[], value: T, on: boolean) =>
    on ? [...list.filter((v) => v !== value), value] : list.filter((v) => v !== value);

  const stepContent: ReactNode[] = [
    // 1. Review type
    <>
      <Field label="What to review">
        <RadioGroup
          value={state.kind}
          onChange={(_, d) => {
            set({ kind: d.value as WizardState['kind'], roles: [] });
            clear('roles');
          }}
        >
          <Radio value="roles" label="Microsoft Entra roles" />
          <Radio value="groups" label="Groups: members and owners" />
        </RadioGroup>
      </Field>
      <CheckGroup
        label={state.kind === 'roles' ? 'Roles to review' : 'Group roles to review'}
        hint="Each selected role is reviewed separately, in parallel, in every occurrence."
        error={message('roles')}
        required
        className={styles.choices}
      >
        {options.loading ? <Text>Loading the roles under management…</Text> : null}
        {options.data && roleChoices.length === 0 ? (
          <Text>
            Nothing is under management yet. <Link href={hrefFor('admin', 'resources')}>Add resources</Link>{' '}
            first.
          </Text>
        ) : null}
        {roleChoices.map((c) => (
          <Checkbox
            key={c.value}
            label={c.label}
            checked={state.roles.includes(c.value)}
            onChange={(_, d) => {
              set({ roles: toggle(state.roles, c.value, d.checked === true) });
              clear('roles');
            }}
          />
        ))}
      </CheckGroup>
      <Field label="Assignment type">
        <RadioGroup
          value={state.assignmentTypes}
          onChange={(_, d) => set({ assignmentTypes: d.value as WizardState['assignmentTypes'] })}
        >
          <Radio value="eligible" label="Eligible assignments only" />
          <Radio value="active" label="Active assignments only" />
          <Radio value="both" label="All active and eligible assignments" />
        </RadioGroup>
      </Field>
      <CheckGroup label="Principals to review" error={message('principalTypes')}>
        {(
          [
            ['user', 'Users'],
            ['group', 'Groups'],
            ['servicePrincipal', 'Service principals'],
          ] as const
        ).map(([value, label]) => (
          <Checkbox
            key={value}
            label={label}
            checked={state.principalTypes.includes(value)}
            onChange={(_, d) => {
              set({ principalTypes: toggle(state.principalTypes, value, d.checked === true) });
              clear('principalTypes');
            }}
          />
        ))}
      </CheckGroup>
      <Switch
        label="Inactive users only"
        checked={state.inactiveOnly}
        onChange={(_, d) => set({ inactiveOnly: d.checked })}
      />
      {state.inactiveOnly ? (
        <Field
          label="Days inactive"
          hint="Users with no sign-in for this many days (up to 730)."
          validationMessage={message('inactiveDays')}
          validationState={state_('inactiveDays')}
        >
          <Input
            className={styles.short}
            type="number"
            min={1}
            max={730}
            value={state.inactiveDays}
            onChange={(_, d) => {
              set({ inactiveDays: d.value });
              clear('inactiveDays');
            }}
          />
        </Field>
      ) : null}
    </>,
    // 2. Reviewers
    <>
      <Field label="Select reviewers">
        <RadioGroup
          value={state.reviewerMode}
          onChange={(_, d) => {
            set({ reviewerMode: d.value as WizardState['reviewerMode'] });
            clear('reviewers', 'fallbackReviewers');
          }}
        >
          <Radio value="selected" label="Selected users" />
          <Radio value="self" label="Members (self)" />
          <Radio value="manager" label="Manager" />
        </RadioGroup>
      </Field>
      {state.reviewerMode === 'selected' ? (
        <PeoplePicker
          label="Reviewers"
          hint="They review every item."
          required
          ids={state.reviewers}
          known={people}
          error={message('reviewers')}
          onChange={(ids) => {
            set({ reviewers: ids });
            clear('reviewers');
          }}
        />
      ) : (
        <Text>
          {state.reviewerMode === 'self'
            ? 'Each user reviews their own access. Groups and service principals go to the fallback reviewers.'
            : "Each principal's manager reviews their access; people without a manager, groups and service principals go to the fallback reviewers."}
        </Text>
      )}
      {message('reviewers') && state.reviewerMode !== 'selected' ? (
        <ErrorBanner message={message('reviewers')} />
      ) : null}
      <PeoplePicker
        label={state.reviewerMode === 'manager' ? 'Fallback reviewers' : 'Fallback reviewers (optional)'}
        hint="They review the items nobody else can."
        required={state.reviewerMode === 'manager'}
        ids={state.fallbackReviewers}
        known={people}
        error={message('fallbackReviewers')}
        onChange={(ids) => {
          set({ fallbackReviewers: ids });
          clear('fallbackReviewers');
        }}
      />
    </>,
    // 3. Settings
    <>
      <Field label="Name" required validationMessage={message('name')} validationState={state_('name')}>
        <Input
          value={state.name}
          onChange={(_, d) => {
            set({ name: d.value });
            clear('name');
          }}
        />
      </Field>
      <Field
        label="Description"
        hint="Reviewers see it in their mail and on the review."
        validationMessage={message('description')}
        validationState={state_('description')}
      >
        <Textarea value={state.description} onChange={(_, d) => set({ description: d.value })} />
      </Field>
      <Field
        label="Start date"
        hint="UTC. Today starts the review as soon as it is created."
        validationMessage={message('startDate')}
        validationState={state_('startDate')}
      >
        <Input
          className={styles.short}
          type="date"
          value={state.startDate}
          onChange={(_, d) => {
            set({ startDate: d.value });
            clear('startDate');
          }}
        />
      </Field>
      <Field label="Frequency" validationMessage={message('frequency')} validationState={state_('frequency')}>
        <Select
          className={styles.short}
          value={state.frequency}
          onChange={(_, d) => {
            set({ frequency: d.value as WizardState['frequency'] });
            clear('frequency', 'duration');
          }}
        >
          {FREQUENCIES.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </Select>
      </Field>
      <Field
        label="Duration (in days)"
        hint="How long each review stays open."
        validationMessage={message('duration')}
        validationState={state_('duration')}
      >
        <Input
          className={styles.short}
          type="number"
          min={1}
          max={365}
          value={state.duration}
          onChange={(_, d) => {
            set({ duration: d.value });
            clear('duration');
          }}
        />
      </Field>
      {state.frequency !== 'once' ? (
        <>
          <Field label="End">
            <RadioGroup
              value={state.end}
              onChange={(_, d) => {
                set({ end: d.value as WizardState['end'] });
                clear('endDate', 'occurrences');
              }}
            >
              <Radio value="never" label="Never" />
              <Radio value="date" label="End by a specific date" />
              <Radio value="count" label="End after a number of occurrences" />
            </RadioGroup>
          </Field>
          {state.end === 'date' ? (
            <Field
              label="End date"
              validationMessage={message('endDate')}
              validationState={state_('endDate')}
            >
              <Input
                className={styles.short}
                type="date"
                value={state.endDate}
                onChange={(_, d) => {
                  set({ endDate: d.value });
                  clear('endDate');
                }}
              />
            </Field>
          ) : null}
          {state.end === 'count' ? (
            <Field
              label="Number of occurrences"
              validationMessage={message('occurrences')}
              validationState={state_('occurrences')}
            >
              <Input
                className={styles.short}
                type="number"
                min={1}
                value={state.occurrences}
                onChange={(_, d) => {
                  set({ occurrences: d.value });
                  clear('occurrences');
                }}
              />
            </Field>
          ) : null}
        </>
      ) : null}
      <h3 className={styles.h3}>Upon completion settings</h3>
      <Switch
        label="Auto apply results to resource"
        checked={state.autoApply}
        onChange={(_, d) => set({ autoApply: d.checked })}
      />
      <Field label="If reviewers don't respond">
        <Select
          className={styles.short}
          value={state.noResponse}
          onChange={(_, d) => set({ noResponse: d.value as WizardState['noResponse'] })}
        >
          {DEFAULT_DECISIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </Select>
      </Field>
      <Field
        label="Send completion notifications to"
        hint="E-mail addresses, separated by commas (optional)."
        validationMessage={message('notifyEmails')}
        validationState={state_('notifyEmails')}
      >
        <Input
          value={state.notifyEmails}
          onChange={(_, d) => {
            set({ notifyEmails: d.value });
            clear('notifyEmails');
          }}
        />
      </Field>
      <h3 className={styles.h3}>Advanced settings</h3>
      <Switch
        label="Show recommendations"
        checked={state.recommendations}
        onChange={(_, d) => set({ recommendations: d.checked })}
      />
      <Switch
        label="Require reason on approval"
        checked={state.justificationRequired}
        onChange={(_, d) => set({ justificationRequired: d.checked })}
      />
      <Switch label="Mail notifications" checked={state.mail} onChange={(_, d) => set({ mail: d.checked })} />
      <Switch
        label="Reminders"
        checked={state.reminders}
        onChange={(_, d) => set({ reminders: d.checked })}
      />
      <Switch
        label="Decision histories for reviewers"
        checked={state.decisionHistories}
        onChange={(_, d) => set({ decisionHistories: d.checked })}
      />
    </>,
    // 4. Review + create
    <Summary state={state} options={options.data} />,
  ];

  return (
    <Page
      title="New access review"
      description="Review who still needs access to the roles pimflow manages."
      error={options.error}
    >
      <nav aria-label="Steps">
        <ol className={styles.steps}>
          {STEPS.map((label, i) => (
            <li key={label}>
              <Button
                appearance="subtle"
                className={mergeClasses(i === step && styles.stepCurrent)}
                aria-current={i === step ? 'step' : undefined}
                disabled={i > step}
                onClick={() => setStep(i)}
              >
                {`${i + 1}. ${label}`}
              </Button>
            </li>
          ))}
        </ol>
      </nav>
      <form
        className={styles.card}
        aria-labelledby="wizard-step"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (step < STEPS.length - 1) next();
          else void create();
        }}
      >
        <h2 id="wizard-step" ref={heading} tabIndex={-1} className={styles.h2}>
          {STEPS[step]}
        </h2>
        {stepContent[step]}
        <ErrorBanner message={errors.form} />
        <div className={styles.buttons}>
          {step > 0 ? (
            <Button type="button" onClick={() => setStep(step - 1)}>
              Back
            </Button>
          ) : null}
          {step < STEPS.length - 1 ? (
            <Button type="submit" appearance="primary">
              Next
            </Button>
          ) : (
            <Button type="submit" appearance="primary" disabled={saving}>
              {saving ? 'Creating…' : 'Create review'}
            </Button>
          )}
          <Button type="button" appearance="subtle" onClick={() => navigate('admin', 'reviews')}>
            Cancel
          </Button>
        </div>
      </form>
    </Page>
  );
}

function Summary(props: { state: WizardState; options: Options | undefined }) {
  const s = props.state;
  const o = props.options;
  const people = (ids: string[]) => ids.map((id) => o?.people.get(id) ?? id).join(', ') || 'None';
  const roleLabel = (r: string) => {
    if (s.kind === 'roles') return o?.roles.find((x) => x.roleDefinitionId === r)?.displayName ?? r;
    const [groupId, accessId] = r.split(':');
    const group = o?.groups.find((g) => g.groupId === groupId)?.displayName ?? groupId;
    return `${group} · ${accessId === 'owner' ? 'Owner' : 'Member'}`;
  };
  const frequency = FREQUENCIES.find((f) => f.value === s.frequency)?.label ?? s.frequency;
  const end =
    s.frequency === 'once'
      ? null
      : s.end === 'date'
        ? `On ${s.endDate}`
        : s.end === 'count'
          ? `After ${s.occurrences} occurrences`
          : 'Never';
  const on = (b: boolean) => (b ? 'Enabled' : 'Disabled');
  const rows: [string, string][] = [
    ['Name', s.name],
    ['Description', s.description || '—'],
    [s.kind === 'roles' ? 'Roles' : 'Group roles', `${s.roles.length}: ${s.roles.map(roleLabel).join(', ')}`],
    [
      'Assignment type',
      {
        eligible: 'Eligible assignments only',
        active: 'Active assignments only',
        both: 'All active and eligible assignments',
      }[s.assignmentTypes],
    ],
    [
      'Principals',
      `${s.principalTypes.join(', ')}${s.inactiveOnly ? ` (inactive for ${s.inactiveDays} days)` : ''}`,
    ],
    [
      'Reviewers',
      s.reviewerMode === 'self'
        ? 'Members (self)'
        : s.reviewerMode === 'manager'
          ? 'Manager'
          : people(s.reviewers),
    ],
    ['Fallback reviewers', people(s.fallbackReviewers)],
    ['Start date', s.startDate],
    ['Frequency', frequency],
    ['Duration', `${s.duration} days`],
    ...(end ? ([['End', end]] as [string, string][]) : []),
    ['Auto apply results', on(s.autoApply)],
    ["If reviewers don't respond", DEFAULT_DECISIONS.find((d) => d.value === s.noResponse)?.label ?? ''],
    ['Completion notifications', emails(s.notifyEmails).join(', ') || 'None'],
    ['Recommendations', on(s.recommendations)],
    ['Reason on approval', s.justificationRequired ? 'Required' : 'Not required'],
    ['Mail notifications', on(s.mail)],
    ['Reminders', on(s.reminders)],
    ['Decision histories', on(s.decisionHistories)],
  ];
  return <FactList facts={rows} />;
}
