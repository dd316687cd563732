// Test-only timer triggers: each run is recorded on globalThis so in-process tests can read them.
const { app } = require('@azure/functions');

globalThis.pimflowTimerRuns = globalThis.pimflowTimerRuns ?? [];

function record(name, timer) {
  globalThis.pimflowTimerRuns.push({ name, at: new Date().toISOString(), isPastDue: timer.isPastDue });
}

app.timer('EveryTenSeconds', {
  schedule: '*/10 * * * * *',
  handler: async (timer) => record('EveryTenSeconds', timer),
});

app.timer('DailyAtNine', {
  schedule: '%DAILY_SCHEDULE%',
  runOnStartup: true,
  handler: async (timer) => record('DailyAtNine', timer),
});

// Runs longer than its interval: the next run must wait for this one to finish.
app.timer('SlowEverySecond', {
  schedule: '%SLOW_SCHEDULE%',
  handler: async (timer) => {
    record('SlowEverySecond', timer);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    record('SlowEverySecondDone', timer);
  },
});
