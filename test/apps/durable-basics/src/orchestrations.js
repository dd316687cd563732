// Test-only app for the local runtime's own tests (not product code): one orchestration per engine feature.
const df = require('durable-functions');

/** Attempts per key, so a test can make an activity fail N times before it succeeds. */
const attempts = new Map();

df.app.activity('Echo', { handler: (input) => input });
df.app.activity('SayHello', { handler: (name) => `Hello ${name}!` });
df.app.activity('Flaky', {
  handler: (input) => {
    const n = (attempts.get(input.key) ?? 0) + 1;
    attempts.set(input.key, n);
    if (n <= input.failTimes) throw new Error(`attempt ${n} failed`);
    return n;
  },
});
df.app.activity('Fail', {
  handler: () => {
    throw new Error('boom');
  },
});
df.app.activity('DateOut', { handler: () => ({ at: new Date('2024-05-01T00:00:00Z') }) });
df.app.activity('Slow', {
  handler: async (ms) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return ms;
  },
});

df.app.orchestration('Chain', function* (ctx) {
  const a = yield ctx.df.callActivity('SayHello', 'Tokyo');
  const b = yield ctx.df.callActivity('SayHello', 'Seattle');
  const c = yield ctx.df.callActivity('SayHello', ctx.df.getInput() ?? 'London');
  return [a, b, c];
});

df.app.orchestration('FanOut', function* (ctx) {
  const tasks = [];
  for (let i = 0; i < ctx.df.getInput(); i++) tasks.push(ctx.df.callActivity('Echo', i));
  const results = yield ctx.df.Task.all(tasks);
  return results.reduce((sum, x) => sum + x, 0);
});

df.app.orchestration('Timer', function* (ctx) {
  const start = ctx.df.currentUtcDateTime;
  yield ctx.df.createTimer(new Date(start.getTime() + ctx.df.getInput()));
  return { start: start.toISOString(), end: ctx.df.currentUtcDateTime.toISOString() };
});

df.app.orchestration('Approval', function* (ctx) {
  const { timeoutMs } = ctx.df.getInput();
  const timer = ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + timeoutMs));
  const approval = ctx.df.waitForExternalEvent('Approval');
  ctx.df.setCustomStatus({ stage: 'waiting' });
  const winner = yield ctx.df.Task.any([approval, timer]);
  if (winner === approval) {
    timer.cancel();
    ctx.df.setCustomStatus({ stage: 'approved' });
    return { approved: approval.result };
  }
  return { timedOut: true };
});

df.app.orchestration('TwoEvents', function* (ctx) {
  const first = yield ctx.df.waitForExternalEvent('First');
  const second = yield ctx.df.waitForExternalEvent('Second');
  return [first, second];
});

df.app.orchestration('Parent', function* (ctx) {
  const child = yield ctx.df.callSubOrchestrator('Chain', 'Paris', `${ctx.df.instanceId}:child`);
  const generated = yield ctx.df.callSubOrchestrator('FanOut', 3);
  return { child, generated };
});

// eslint-disable-next-line require-yield -- fails before its first yield on purpose
df.app.orchestration('FailingChild', function* () {
  throw new Error('child went wrong');
});

df.app.orchestration('ParentOfFailing', function* (ctx) {
  try {
    yield ctx.df.callSubOrchestratorWithRetry('FailingChild', new df.RetryOptions(1000, 2));
  } catch (err) {
    return { caught: err.message };
  }
});

df.app.orchestration('Retry', function* (ctx) {
  const input = ctx.df.getInput();
  const options = new df.RetryOptions(1000, input.maxAttempts);
  options.backoffCoefficient = 2;
  try {
    return { attempts: yield ctx.df.callActivityWithRetry('Flaky', options, input) };
  } catch (err) {
    return { gaveUp: err.message };
  }
});

df.app.orchestration('CatchFail', function* (ctx) {
  try {
    yield ctx.df.callActivity('Fail');
    return 'unreachable';
  } catch (err) {
    return { caught: err.message };
  }
});

df.app.orchestration('Uncaught', function* (ctx) {
  yield ctx.df.callActivity('Fail');
});

df.app.orchestration('Counter', function* (ctx) {
  const n = ctx.df.getInput();
  ctx.df.setCustomStatus({ n });
  if (n >= 3) return n;
  yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 1000));
  ctx.df.continueAsNew(n + 1);
});

df.app.orchestration('Dates', function* (ctx) {
  const out = yield ctx.df.callActivity('DateOut');
  const echoed = yield ctx.df.callActivity('Echo', { when: new Date('2024-01-02T03:04:05Z') });
  return {
    outType: typeof out.at,
    echoedType: typeof echoed.when,
    echoed: echoed.when,
    input: ctx.df.getInput(),
  };
});

// Picks its activity from a global the test flips between episodes: a replay-rule violation.
df.app.orchestration('NonDeterministic', function* (ctx) {
  yield ctx.df.callActivity(globalThis.pimflowTestActivity ?? 'Echo', 1);
  yield ctx.df.waitForExternalEvent('Go');
  return 'done';
});

df.app.orchestration('YieldsGarbage', function* () {
  yield 42;
});

df.app.orchestration('Signals', function* (ctx) {
  ctx.df.signalEntity(new df.EntityId('counter', 'a'), 'add', 1);
  yield ctx.df.callActivity('Echo', 1);
});

df.app.orchestration('Guids', function* (ctx) {
  const a = ctx.df.newGuid(ctx.df.instanceId);
  yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 1000));
  const b = ctx.df.newGuid(ctx.df.instanceId);
  return [a, b];
});

df.app.orchestration('SlowChain', function* (ctx) {
  const ms = ctx.df.getInput();
  const out = [];
  for (let i = 0; i < 3; i++) out.push(yield ctx.df.callActivity('Slow', ms));
  yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 1000));
  const ev = yield ctx.df.waitForExternalEvent('Go');
  out.push(ev);
  return out;
});

// For the crash test: each step appends a line to a log file synchronously, so a SIGKILL can't lose it.
df.app.activity('Record', {
  handler: async (input) => {
    require('node:fs').appendFileSync(
      process.env.CRASH_LOG,
      JSON.stringify({ instanceId: input.instanceId, step: input.step, startedAt: Date.now() }) + '\n',
    );
    await new Promise((resolve) => setTimeout(resolve, input.ms));
    return input.step;
  },
});

df.app.orchestration('CrashWorkflow', function* (ctx) {
  const { ms } = ctx.df.getInput();
  const steps = [];
  for (let step = 0; step < 3; step++) {
    steps.push(yield ctx.df.callActivity('Record', { instanceId: ctx.df.instanceId, step, ms }));
  }
  yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 500));
  const parallel = yield ctx.df.Task.all(
    [3, 4].map((step) => ctx.df.callActivity('Record', { instanceId: ctx.df.instanceId, step, ms })),
  );
  const approval = yield ctx.df.waitForExternalEvent('Go');
  return { steps: [...steps, ...parallel], approval };
});
