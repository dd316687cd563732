/**
 * The layers ESLint enforces (eslint.config.mjs; docs/architecture.md, "One shape for every feature"): each case
 * lints a small probe file at a path inside a layer, as `npm run lint` would lint a real file there, and checks
 * the boundary rule fires — or stays quiet for what the layer may import.
 */
import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const eslint = new ESLint({ cwd: ROOT });

const BOUNDARY_RULES = new Set(['no-restricted-imports', '@typescript-eslint/no-restricted-imports']);

/** The boundary messages ESLint gives `code` as if it were the file at `file`. */
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const probe = 1;\n`, {
    filePath: path.join(ROOT, file),
  });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId))
    .map((m) => m.message);
}

const cases: { layer: string; file: string; code: string; refused: boolean }[] = [
  // domain/: pure
  {
    layer: 'a domain file importing @azure/functions',
    file: 'shared/requests/domain/probe.ts',
    code: "import type { HttpRequest } from '@azure/functions';\nexport type R = HttpRequest;",
    refused: true,
  },
  {
    layer: 'a domain file importing a Cosmos type',
    file: 'shared/reviews/domain/probe.ts',
    code: "import type { Container } from '@azure/cosmos';\nexport type C = Container;",
    refused: true,
  },
  {
    layer: 'a domain file importing a repository',
    file: 'shared/approvals/domain/probe.ts',
    code: "import type { PimStore } from '../../requests/adapters/pim-store';\nexport type S = PimStore;",
    refused: true,
  },
  {
    layer: 'a domain file importing another domain and Stored',
    file: 'shared/requests/domain/probe.ts',
    code: "import type { Stored } from '../../storage/stored';\nimport type { Schedule } from '../../lifecycle/domain/schedule';\nexport type S = Stored<Schedule>;",
    refused: false,
  },
  // services at the feature root: no HTTP, no Cosmos
  {
    layer: 'a service importing a Cosmos type',
    file: 'shared/policies/probe.ts',
    code: "import type { Database } from '@azure/cosmos';\nexport type D = Database;",
    refused: true,
  },
  {
    layer: 'a service returning HTTP problems',
    file: 'shared/requests/probe.ts',
    code: "import { problem } from '../http/problem';\nexport const p = problem;",
    refused: true,
  },
  {
    layer: 'a service reaching for the composition root',
    file: 'shared/reviews/probe.ts',
    code: "import { getAppServices } from '../composition-root';\nexport const g = getAppServices;",
    refused: true,
  },
  {
    layer: 'a service taking a repository',
    file: 'shared/requests/probe.ts',
    code: "import type { PimStore } from './adapters/pim-store';\nexport type S = PimStore;",
    refused: false,
  },
  // adapters and the edge
  {
    layer: 'an adapter importing @azure/cosmos',
    file: 'shared/drift/adapters/probe.ts',
    code: "import type { Container } from '@azure/cosmos';\nexport type C = Container;",
    refused: false,
  },
  {
    layer: 'an adapter importing @azure/functions',
    file: 'shared/drift/adapters/probe.ts',
    code: "import type { HttpRequest } from '@azure/functions';\nexport type R = HttpRequest;",
    refused: true,
  },
  {
    layer: 'an HTTP edge file importing @azure/functions',
    file: 'shared/reviews/http/probe.ts',
    code: "import type { HttpRequest } from '@azure/functions';\nexport type R = HttpRequest;",
    refused: false,
  },
  {
    layer: 'a function importing @azure/cosmos (SQL belongs in an adapter)',
    file: 'functions/probe.ts',
    code: "import type { Container } from '@azure/cosmos';\nexport type C = Container;",
    refused: true,
  },
  // orchestrators: contracts only
  {
    layer: 'an orchestrator importing a service',
    file: 'orchestrations/probe.ts',
    code: "import type { RequestActivities } from '../shared/requests/request-activities';\nexport type A = RequestActivities;",
    refused: true,
  },
  {
    layer: 'an orchestrator importing a domain module',
    file: 'orchestrations/probe.ts',
    code: "import { parseIsoDuration } from '../shared/iso-duration';\nexport const p = parseIsoDuration;",
    refused: true,
  },
  {
    layer: 'an orchestrator importing a Node built-in',
    file: 'orchestrations/probe.ts',
    code: "import { randomUUID } from 'node:crypto';\nexport const r = randomUUID;",
    refused: true,
  },
  {
    layer: 'an orchestrator importing contracts and the typed activity helpers',
    file: 'orchestrations/probe.ts',
    code: "import { DriftActivity } from '../shared/drift/contract';\nimport { call } from '../shared/durable/activity';\nexport const x = [DriftActivity, call];",
    refused: false,
  },
  // contracts: names and types only
  {
    layer: 'a contract importing an implementation as a value',
    file: 'shared/drift/contract.ts',
    code: "import { createDriftActivities } from './drift-check';\nexport const c = createDriftActivities;",
    refused: true,
  },
  {
    layer: 'a contract importing types from the domain',
    file: 'shared/drift/contract.ts',
    code: "import type { DriftReport } from './adapters/drift-store';\nexport type R = DriftReport;",
    refused: false,
  },
];

describe('ESLint keeps each layer to what it may import', () => {
  for (const c of cases) {
    it(`${c.refused ? 'refuses' : 'allows'} ${c.layer}`, async () => {
      const errors = await boundaryErrors(c.file, c.code);
      if (c.refused) expect(errors, `no boundary error for ${c.file}`).not.toHaveLength(0);
      else expect(errors).toEqual([]);
    });
  }
});
