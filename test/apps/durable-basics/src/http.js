// Test-only HTTP functions: a starter using the durable client, and routes exercising the HTTP host.
const { app } = require('@azure/functions');
const df = require('durable-functions');

app.http('StartOrchestration', {
  route: 'orchestrators/{name}/{id?}',
  methods: ['POST'],
  extraInputs: [df.input.durableClient()],
  handler: async (request, context) => {
    const client = df.getClient(context);
    const text = await request.text();
    const instanceId = await client.startNew(request.params.name, {
      instanceId: request.params.id,
      input: text ? JSON.parse(text) : undefined,
    });
    return client.createCheckStatusResponse(request, instanceId);
  },
});

app.http('ClientOps', {
  route: 'client/{id}/{op}',
  methods: ['GET', 'POST'],
  extraInputs: [df.input.durableClient()],
  handler: async (request, context) => {
    const client = df.getClient(context);
    const { id, op } = request.params;
    if (op === 'status')
      return { jsonBody: await client.getStatus(id, { showHistory: true, showHistoryOutput: true }) };
    if (op === 'raise') {
      await client.raiseEvent(id, request.query.get('name'), await request.json());
      return { status: 202 };
    }
    if (op === 'terminate') {
      await client.terminate(id, 'stopped by test');
      return { status: 202 };
    }
    if (op === 'suspend') {
      await client.suspend(id, 'paused');
      return { status: 202 };
    }
    if (op === 'resume') {
      await client.resume(id, 'go on');
      return { status: 202 };
    }
    if (op === 'purge') return { jsonBody: await client.purgeInstanceHistory(id) };
    if (op === 'list') {
      const all = await client.getStatusBy({ runtimeStatus: [request.query.get('status')] });
      return { jsonBody: all.map((s) => s.instanceId) };
    }
    return { status: 400, jsonBody: { error: 'unknown op' } };
  },
});

app.http('EchoRequest', {
  route: 'echo/{id:int}/{*rest}',
  methods: ['GET', 'POST'],
  handler: async (request) => ({
    status: 201,
    headers: { 'x-echo': 'yes' },
    cookies: [{ name: 'session', value: 'abc', httpOnly: true, sameSite: 'Strict', path: '/' }],
    jsonBody: {
      method: request.method,
      params: request.params,
      query: Object.fromEntries(request.query.entries()),
      tags: request.query.getAll('tag'),
      cookie: request.headers.get('cookie'),
      body: request.method === 'POST' ? await request.json() : null,
    },
  }),
});

app.http('Boom', {
  route: 'boom',
  methods: ['GET'],
  handler: async () => {
    throw new Error('secret internals');
  },
});

app.http('Default', { methods: ['GET'], handler: async () => ({ body: 'no route given' }) });

// Keys, as the host enforces authLevel: one trigger needs a function key (or a host key), one the master key.
app.http('KeyedFunction', {
  route: 'keyed/function',
  methods: ['GET'],
  authLevel: 'function',
  handler: async () => ({ body: 'function level' }),
});

app.http('KeyedAdmin', {
  route: 'keyed/admin',
  methods: ['GET'],
  authLevel: 'admin',
  handler: async () => ({ body: 'admin level' }),
});
