/**
 * The durable engine through the management API and the SDK's client, on a virtual clock: every action type,
 * replay rules, JSON round trips and retries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { durableFetch, startTestRuntime, waitFor } from '../helpers';

let rt: LocalRuntime;
const START = new Date('2026-01-05T09:00:00Z');

beforeAll(async () => {
  rt = await startTestRuntime('durable-basics', { virtualClock: START });
});
afterAll(async () => {
  await rt?.stop();
});

async function start(name: string, input?: unknown, id?: string): Promise<string> {
  const res = await durableFetch(rt, `orchestrators/${name}${id ? `/${id}` : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: input === undefined ? '' : JSON.stringify(input),
  });
  expect(res.status).toBe(202);
  const body = (await res.json()) as { id: string; statusQueryGetUri: string };
  expect(res.headers.get('location')).toBe(body.statusQueryGetUri);
  return body.id;
}

interface Status {
  runtimeStatus: string;
  output: unknown;
  input: unknown;
  customStatus: unknown;
  historyEvents?: { EventType: string }[];
}

async function status(id: string, query = ''): Promise<Status> {
  const res = await durableFetch(rt, `instances/${encodeURIComponent(id)}${query}`);
  return (await res.json()) as Status;
}

async function settled(id: string): Promise<Status> {
  await rt.waitForIdle();
  return waitFor(`instance ${id} to finish`, async () => {
    const s = await status(id);
    return ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus) ? s : undefined;
  });
}

async function raise(id: string, name: string, data: unknown): Promise<number> {
  const res = await durableFetch(rt, `instances/${encodeURIComponent(id)}/raiseEvent/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(data),
  });
  return res.status;
}

describe('activities', () => {
  it('chains activities and passes string inputs through unchanged', async () => {
    const id = await start('Chain', 'Oslo');
    const s = await settled(id);
    expect(s.runtimeStatus).toBe('Completed');
    expect(s.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello Oslo!']);
    expect(s.input).toBe('Oslo');
  });

  it('fans out and in with Task.all', async () => {
    const s = await settled(await start('FanOut', 25));
    expect(s.output).toBe(300);
  });

  it('round-trips inputs and outputs through JSON, so Dates come back as strings', async () => {
    const s = await settled(await start('Dates', { at: '2024-01-01T00:00:00.000Z' }));
    expect(s.output).toEqual({
      outType: 'string',
      echoedType: 'string',
      echoed: '2024-01-02T03:04:05.000Z',
      input: { at: '2024-01-01T00:00:00.000Z' },
    });
  });

  it('surfaces an activity failure to the orchestrator as the extension words it', async () => {
    const s = await settled(await start('CatchFail'));
    expect(s.runtimeStatus).toBe('Completed');
    expect((s.output as { caught: string }).caught).toMatch(/^Activity function 'Fail' failed: boom/);
  });

  it('fails the orchestration when the failure is not caught', async () => {
    const s = await settled(await start('Uncaught'));
    expect(s.runtimeStatus).toBe('Failed');
    expect(s.output).toMatch(
      /^Orchestrator function 'Uncaught' failed: Activity function 'Fail' failed: boom/,
    );
  });
});

describe('retries', () => {
  it('retries with backoff on durable timers and succeeds', async () => {
    const id = await start('Retry', { key: 'r1', failTimes: 2, maxAttempts: 3 });
    await rt.waitForIdle();
    expect((await status(id)).runtimeStatus).toBe('Running');
    await rt.advance('PT1S'); // first retry after 1 s
    expect((await status(id)).runtimeStatus).toBe('Running');
    await rt.advance('PT1S'); // backoff 2: the second retry waits 2 s
    expect((await status(id)).runtimeStatus).toBe('Running');
    await rt.advance('PT1S');
    expect((await settled(id)).output).toEqual({ attempts: 3 });
  });

  it('gives up after the last attempt', async () => {
    const id = await start('Retry', { key: 'r2', failTimes: 5, maxAttempts: 2 });
    await rt.advance('PT10S');
    const s = await settled(id);
    expect((s.output as { gaveUp: string }).gaveUp).toMatch(/attempt 2 failed/);
  });
});

describe('timers', () => {
  it('fires a durable timer when the clock reaches it, with currentUtcDateTime at the fire time', async () => {
    const startedAt = rt.clock.now();
    const id = await start('Timer', 30_000);
    await rt.advance('PT29S');
    expect((await status(id)).runtimeStatus).toBe('Running');
    await rt.advance('PT1S');
    const s = await settled(id);
    const out = s.output as { start: string; end: string };
    expect(new Date(out.end).getTime() - new Date(out.start).getTime()).toBe(30_000);
    expect(new Date(out.start).getTime()).toBe(startedAt.getTime());
  });

  it('splits timers longer than 6 days into 3-day sub-timers, as the SDK expects', async () => {
    const id = await start('Timer', 10 * 24 * 3600_000);
    await rt.advance('P9D');
    expect((await status(id)).runtimeStatus).toBe('Running');
    await rt.advance('P1D');
    const s = await settled(id);
    const out = s.output as { start: string; end: string };
    expect(new Date(out.end).getTime() - new Date(out.start).getTime()).toBe(10 * 24 * 3600_000);
    const history = (await status(id, '?showHistory=true')).historyEvents ?? [];
    expect(history.filter((e) => e.EventType === 'TimerCreated').length).toBe(3);
  });
});

describe('external events', () => {
  it('races an event against a timer and cancels the losing timer', async () => {
    const id = await start('Approval', { timeoutMs: 3_600_000 });
    await rt.waitForIdle();
    expect((await status(id)).customStatus).toEqual({ stage: 'waiting' });
    expect(await raise(id, 'Approval', { by: 'alice' })).toBe(202);
    const s = await settled(id);
    expect(s.output).toEqual({ approved: { by: 'alice' } });
    expect(s.customStatus).toEqual({ stage: 'approved' });
  });

  it('times out when nobody raises the event', async () => {
    const id = await start('Approval', { timeoutMs: 3_600_000 });
    await rt.advance('PT1H');
    expect((await settled(id)).output).toEqual({ timedOut: true });
  });

  it('buffers an event raised before the orchestrator waits for it', async () => {
    const id = await start('TwoEvents');
    await rt.waitForIdle();
    expect(await raise(id, 'Second', 2)).toBe(202);
    await rt.waitForIdle();
    expect((await status(id)).runtimeStatus).toBe('Running');
    expect(await raise(id, 'First', 1)).toBe(202);
    expect((await settled(id)).output).toEqual([1, 2]);
  });

  it('matches event names case-sensitively, as the JavaScript SDK does', async () => {
    const id = await start('TwoEvents');
    await raise(id, 'first', 'wrong case');
    await rt.waitForIdle();
    expect((await status(id)).runtimeStatus).toBe('Running');
    await raise(id, 'First', 1);
    await raise(id, 'Second', 2);
    expect((await settled(id)).output).toEqual([1, 2]);
  });

  it('answers 410 for an event to a finished instance and 404 for an unknown one', async () => {
    const id = await start('FanOut', 1);
    await settled(id);
    expect(await raise(id, 'X', 1)).toBe(410);
    expect(await raise('no-such-instance', 'X', 1)).toBe(404);
  });
});

describe('sub-orchestrations and continueAsNew', () => {
  it('runs sub-orchestrations with given and generated instance ids', async () => {
    const id = await start('Parent');
    const s = await settled(id);
    expect(s.output).toEqual({ child: ['Hello Tokyo!', 'Hello Seattle!', 'Hello Paris!'], generated: 3 });
    expect((await status(`${id}:child`)).runtimeStatus).toBe('Completed');
  });

  it('retries a failing sub-orchestration and reports its failure to the parent', async () => {
    const id = await start('ParentOfFailing');
    await rt.advance('PT5S');
    const s = await settled(id);
    expect((s.output as { caught: string }).caught).toMatch(/child went wrong/);
  });

  it('continues as new with a fresh history and the new input', async () => {
    const id = await start('Counter', 0);
    for (let i = 0; i < 3; i++) await rt.advance('PT1S');
    const s = await settled(id);
    expect(s.output).toBe(3);
    expect(s.input).toBe(3);
    const history = (await status(id, '?showHistory=true')).historyEvents ?? [];
    expect(history.filter((e) => e.EventType === 'ExecutionStarted').length).toBe(1);
  });
});

describe('replay rules', () => {
  it('fails an orchestration whose replay schedules something else than its history says', async () => {
    const id = await start('NonDeterministic');
    await rt.waitForIdle();
    (globalThis as { pimflowTestActivity?: string }).pimflowTestActivity = 'SayHello';
    try {
      await raise(id, 'Go', null);
      const s = await settled(id);
      expect(s.runtimeStatus).toBe('Failed');
      expect(s.output).toMatch(/Non-Deterministic workflow detected/);
    } finally {
      delete (globalThis as { pimflowTestActivity?: string }).pimflowTestActivity;
    }
  });

  it('fails an orchestration that yields something that is not a task', async () => {
    const s = await settled(await start('YieldsGarbage'));
    expect(s.runtimeStatus).toBe('Failed');
    expect(s.output).toMatch(/Orchestration yielded data of type number/);
  });

  it('fails clearly on durable entities, which the local runtime does not emulate', async () => {
    const s = await settled(await start('Signals'));
    expect(s.runtimeStatus).toBe('Failed');
    expect(s.output).toMatch(/signalEntity is not supported/);
  });

  it('gives the same newGuid values on every replay', async () => {
    const id = await start('Guids');
    await rt.advance('PT1S');
    const [a, b] = (await settled(id)).output as string[];
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(b).not.toBe(a);
  });
});
