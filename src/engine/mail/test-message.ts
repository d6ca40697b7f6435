// "Send test email": one message now, straight through SMTP (not the outbox), so the user sees at once
// whether the settings work. Shared by `portwatch mail test` and the settings window.
import { randomUUID } from 'node:crypto';
import type { EmailSettings } from '../../shared/settings.ts';
import { UserError, oneLine } from '../errors.ts';
import { testMessageContent } from './report.ts';
import { DEFAULT_TIMEOUTS, explainSendError, sendMessage } from './transport.ts';

/** Sends the test message; resolves with the server's reply, or throws a UserError that explains the failure. */
export async function sendTestMessage(
  email: EmailSettings,
  password: string | undefined,
  timeoutMs?: number,
): Promise<string> {
  const now = new Date();
  const domain = /@([^@>\s]+)$/.exec(email.from)?.[1] ?? 'portwatch.invalid';
  try {
    const { response } = await sendMessage(
      email,
      password,
      {
        messageId: `<portwatch.test.${randomUUID()}@${domain}>`,
        date: now.toISOString(),
        ...testMessageContent(now),
      },
      timeoutMs ? { connectMs: timeoutMs, greetingMs: timeoutMs, socketMs: timeoutMs } : DEFAULT_TIMEOUTS,
    );
    return oneLine(response);
  } catch (error) {
    throw new UserError(explainSendError(error, email).message);
  }
}
