// Benchmark-only app: 3 chained activities, a 1-second timer and an external event. Activities report when they
// start through a hook the in-process benchmark driver installs.
const df = require('durable-functions');

const hook = (name, input) => globalThis.pimflowBench?.onActivity?.(name, input);

df.app.activity('BenchStep', {
  handler: (input) => {
    hook('BenchStep', input);
    return input.step;
  },
});

df.app.orchestration('BenchWorkflow', function* (ctx) {
  const id = ctx.df.instanceId;
  yield ctx.df.callActivity('BenchStep', { id, step: 1 });
  yield ctx.df.callActivity('BenchStep', { id, step: 2 });
  yield ctx.df.createTimer(new Date(ctx.df.currentUtcDateTime.getTime() + 1000));
  ctx.df.setCustomStatus('waiting');
  const approval = yield ctx.df.waitForExternalEvent('Approval');
  yield ctx.df.callActivity('BenchStep', { id, step: 3 });
  return approval;
});
