/** Formatting shared by the approval mails and the approval pages: times in UTC, a request's window, its access. */
import type { ResourceType } from '../../access/resource';

/** `2026-03-02 09:00 UTC`. */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `2026-03-02 09:00 UTC – 2026-03-02 11:00 UTC (2 h)`, or `from ... (permanent)`. */
export function approvalWindow(startDateTime: string, endDateTime: string | null): string {
  if (!endDateTime) return `from ${formatUtc(startDateTime)} (permanent)`;
  const minutes = Math.round((new Date(endDateTime).getTime() - new Date(startDateTime).getTime()) / 60_000);
  return `${formatUtc(startDateTime)} – ${formatUtc(endDateTime)} (${duration(minutes)})`;
}

function duration(minutes: number): string {
  if (!Number.isFinite(minutes) || minutes < 0) return '?';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts = [days ? `${days} d` : '', hours ? `${hours} h` : '', mins ? `${mins} min` : ''].filter(
    Boolean,
  );
  return parts.length ? parts.join(' ') : '0 min';
}

/**
 * The access a mail is about, in words around its name (so mails and pages can set the name in bold):
 * `owner of ` **Finance**, or `the ` **Helpdesk Administrator** ` role`; the whole phrase; and its facts rows.
 */
export interface AccessWords {
  lead: string;
  name: string;
  trail: string;
  phrase: string;
  facts: [string, string][];
}

export function accessWords(p: {
  resourceType?: ResourceType | undefined;
  accessId: string;
  groupName: string;
}): AccessWords {
  if ((p.resourceType ?? 'group') === 'group') {
    return {
      lead: `${p.accessId} of `,
      name: p.groupName,
      trail: '',
      phrase: `${p.accessId} of ${p.groupName}`,
      facts: [
        ['Group', p.groupName],
        ['Role', p.accessId],
      ],
    };
  }
  return {
    lead: 'the ',
    name: p.groupName,
    trail: ' role',
    phrase: `the ${p.groupName} role`,
    facts: [['Role', `${p.groupName} (Microsoft Entra role)`]],
  };
}

/**
 * What a request asks, worded by its action: `asks to activate owner of …`, `asks to extend owner of … until …`,
 * `asks to renew owner of … until …`. Split around the access's name (`before`, name, `after`), so mails and pages
 * can set the name in bold.
 */
export function requestAsk(
  action: string,
  words: Pick<AccessWords, 'lead' | 'trail'>,
  endDateTime: string | null,
): { before: string; after: string } {
  const until = endDateTime ? ` until ${formatUtc(endDateTime)}` : ' with no end date';
  switch (action) {
    case 'selfActivate':
      return { before: `asks to activate ${words.lead}`, after: words.trail };
    case 'selfExtend':
      return { before: `asks to extend ${words.lead}`, after: `${words.trail}${until}` };
    case 'selfRenew':
      return { before: `asks to renew ${words.lead}`, after: `${words.trail}${until}` };
    default:
      return { before: `asks for ${words.lead}`, after: words.trail };
  }
}
