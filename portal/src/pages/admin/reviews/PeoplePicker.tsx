/**
 * Pick users by name from the people pimflow knows here (the signed-in admin, holders of the roles under management)
 * or by object ID: the API names users as `/users/{id}` and has no directory search of its own.
 */
import { Button, Combobox, Field, Option, Text, makeStyles, tokens } from '@fluentui/react-components';
import { DismissRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { isGuid } from './wizard-model';

const useStyles = makeStyles({
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', flexWrap: 'wrap' },
  combo: { minWidth: '240px', flexGrow: 1, maxWidth: '420px' },
  chosen: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalS,
    listStyleType: 'none',
    margin: `${tokens.spacingVerticalS} 0 0`,
    padding: 0,
  },
  person: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXS,
    padding: `0 0 0 ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground3,
    overflowWrap: 'anywhere',
  },
});

export function PeoplePicker(props: {
  label: string;
  hint?: string;
  ids: string[];
  onChange(ids: string[]): void;
  known: Map<string, string>;
  error?: string;
  required?: boolean;
}) {
  const styles = useStyles();
  const [text, setText] = useState('');
  const [local, setLocal] = useState<string>();
  const [open, setOpen] = useState(false);
  const add = (id: string) => {
    const lower = id.trim().toLowerCase();
    setText('');
    setLocal(undefined);
    setOpen(false);
    if (!props.ids.includes(lower)) props.onChange([...props.ids, lower]);
  };
  const addTyped = () => {
    const match = [...props.known].find(([, name]) => name.toLowerCase() === text.trim().toLowerCase());
    if (match) add(match[0]);
    else if (isGuid(text)) add(text);
    else setLocal('Pick a person from the list, or enter a user object ID.');
  };
  const options = [...props.known].filter(([id]) => !props.ids.includes(id));
  const filtered = options.filter(([id, name]) =>
    `${name} ${id}`.toLowerCase().includes(text.trim().toLowerCase()),
  );
  return (
    <Field
      label={props.label}
      hint={props.hint}
      required={props.required}
      validationMessage={local ?? props.error}
      validationState={local || props.error ? 'error' : 'none'}
    >
      <div className={styles.row}>
        <Combobox
          className={styles.combo}
          freeform
          value={text}
          open={open}
          onOpenChange={(_, data) => setOpen(data.open)}
          placeholder="Name or user object ID"
          onChange={(e) => {
            setText(e.target.value);
            setLocal(undefined);
          }}
          onOptionSelect={(_, data) => {
            if (data.optionValue) add(data.optionValue);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && isGuid(text)) {
              e.preventDefault();
              add(text);
            }
          }}
        >
          {filtered.map(([id, name]) => (
            <Option key={id} value={id} text={name}>
              {name}
            </Option>
          ))}
        </Combobox>
        <Button onClick={addTyped}>Add</Button>
      </div>
      {props.ids.length > 0 ? (
        <ul className={styles.chosen} aria-label={`${props.label}: selected`}>
          {props.ids.map((id) => (
            <li key={id} className={styles.person}>
              <Text>{props.known.get(id) ?? id}</Text>
              <Button
                size="small"
                appearance="subtle"
                icon={<DismissRegular />}
                aria-label={`Remove ${props.known.get(id) ?? id}`}
                onClick={() => props.onChange(props.ids.filter((x) => x !== id))}
              />
            </li>
          ))}
        </ul>
      ) : null}
    </Field>
  );
}
