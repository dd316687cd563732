/** The mail `npm start` sends to show e-mail works: "pimflow is running". */
import { defineTemplate } from '../layout';
import { button, facts, heading, paragraph } from '../parts';

export interface TestMessageParams {
  /** The API's base URL, e.g. `http://localhost:7071/api`. */
  apiUrl: string;
  version: string;
  startedAt: Date;
  recipientName?: string;
}

export const testMessage = defineTemplate((p: TestMessageParams) => ({
  subject: 'pimflow is running',
  preheader: `Version ${p.version}, started ${p.startedAt.toISOString()}`,
  body: [
    heading('pimflow is running'),
    paragraph(p.recipientName ? `Hello ${p.recipientName},` : 'Hello,'),
    paragraph(
      'This test message shows that pimflow can send e-mail. Approval requests and notifications will arrive the same way.',
    ),
    facts([
      ['Version', p.version],
      ['Started', p.startedAt.toISOString()],
      ['API', p.apiUrl],
    ]),
    button('Check health', `${p.apiUrl.replace(/\/+$/, '')}/health`),
  ],
  footerNote: 'You get this message because pimflow was started with your address as its test recipient.',
}));
