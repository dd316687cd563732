/** Retrying an operation in-process, with fixed waits between attempts, and an error's message for logs. */

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `work`, and again after each of `delaysMs` while it fails (so `delaysMs.length + 1` attempts at most).
 * Never throws: the last failure's message when every attempt failed.
 */
export async function retryWithDelays(
  work: () => Promise<void>,
  delaysMs: readonly number[],
): Promise<{ ok: true } | { ok: false; error: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      await work();
      return { ok: true };
    } catch (err) {
      const delay = delaysMs[attempt];
      if (delay === undefined) return { ok: false, error: errorMessage(err) };
      await sleep(delay);
    }
  }
}
