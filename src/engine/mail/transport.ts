// SMTP through nodemailer: the transport built from the settings, and every failure turned into one line
// that says what is wrong and what to do, plus whether trying again later can help.
import { promises as fs } from 'node:fs';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { EmailSettings, Settings } from '../../shared/settings.ts';
import { UserError, messageOf, oneLine } from '../errors.ts';

export interface OutgoingMessage {
  /** "<...@...>", stable across retries so a re-sent copy can be recognised. */
  messageId: string;
  /** ISO; the Date header, also stable across retries. */
  date: string;
  subject: string;
  text: string;
  html: string;
  attachments?: Array<{ filename: string; content: string; contentType: string }>;
}

export interface TransportTimeouts {
  connectMs: number;
  greetingMs: number;
  socketMs: number;
}

export const DEFAULT_TIMEOUTS: TransportTimeouts = {
  connectMs: 20_000,
  greetingMs: 20_000,
  socketMs: 60_000,
};

/** Why mail cannot be sent with these settings (one actionable line), or undefined when it can be tried. */
export function mailNotReady(settings: Settings): UserError | undefined {
  const e = settings.email;
  const missing = (problem: string, cli: string) =>
    new UserError(problem, { hint: { cli, app: 'fill it in above' } });
  if (!e.enabled)
    return new UserError('email is off', {
      hint: { cli: "turn it on with 'portwatch config set email.enabled true'", app: 'switch it on above' },
    });
  if (e.host === '')
    return missing(
      'no mail server is set',
      "run 'portwatch config set email.provider gmail' or 'portwatch config set email.host smtp.example.com'",
    );
  if (e.from === '')
    return missing('no sender address is set', "run 'portwatch config set email.from you@example.com'");
  if (e.to.length === 0)
    return missing('no recipient is set', "run 'portwatch config set email.to you@example.com'");
  return undefined;
}

async function trustedCAs(caFile: string): Promise<string[] | undefined> {
  if (caFile === '') return undefined;
  let pem: string;
  try {
    pem = await fs.readFile(caFile, 'utf8');
  } catch (error) {
    throw new UserError(
      `cannot read email.caFile ${caFile} (${messageOf(error)}); fix the path with 'portwatch config set email.caFile PATH'`,
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new UserError(
      `email.caFile ${caFile} holds no PEM certificate; give the CA certificate in PEM form`,
    );
  }
  // Added to the system's authorities, not instead of them.
  return [...rootCertificates, pem];
}

export async function createTransport(
  email: EmailSettings,
  password: string | undefined,
  timeouts: TransportTimeouts = DEFAULT_TIMEOUTS,
) {
  const ca = await trustedCAs(email.caFile);
  // Loaded when mail is really sent: a scan with nothing to mail does not pay for nodemailer at start-up.
  const { default: nodemailer } = await import('nodemailer');
  return nodemailer.createTransport({
    host: email.host,
    port: email.port,
    secure: email.security === 'tls',
    requireTLS: email.security === 'starttls',
    ignoreTLS: email.security === 'none',
    auth: email.user !== '' ? { user: email.user, pass: password ?? '' } : undefined,
    // SNI takes host names only (RFC 6066); an IP address is still checked against the certificate.
    tls: { ...(isIP(email.host) === 0 ? { servername: email.host } : {}), ...(ca ? { ca } : {}) },
    connectionTimeout: timeouts.connectMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    dnsTimeout: timeouts.connectMs,
    logger: false,
    debug: false,
  });
}

/** Sends one message; throws the transport's error (see explainSendError). */
export async function sendMessage(
  email: EmailSettings,
  password: string | undefined,
  message: OutgoingMessage,
  timeouts: TransportTimeouts = DEFAULT_TIMEOUTS,
): Promise<{ response: string }> {
  if (email.user !== '' && (password === undefined || password === '')) {
    throw new UserError(
      `no mail password is set for ${email.user}; run 'portwatch config set email.password -' and type it (or set PORTWATCH_SMTP_PASSWORD)`,
    );
  }
  const transport = await createTransport(email, password, timeouts);
  try {
    const info = await transport.sendMail({
      from: email.from,
      to: email.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: message.messageId,
      date: new Date(message.date),
      attachments: message.attachments,
      headers: { 'X-Mailer': 'Portwatch' },
    });
    return { response: String(info.response ?? '') };
  } finally {
    transport.close();
  }
}

export interface SendFailure {
  /** Trying again cannot help (bad credentials, 5xx): record it and stop. */
  permanent: boolean;
  /** One line: what is wrong and what to do. Never contains the password. */
  message: string;
}

const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

interface SmtpishError {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  permanent?: boolean;
  timeoutType?: string;
  message?: string;
  cause?: unknown;
}

/** Turns whatever sending threw into a clear line and a retry decision. */
export function explainSendError(error: unknown, email: EmailSettings): SendFailure {
  if (error instanceof UserError) return { permanent: true, message: error.message };
  const e = (error ?? {}) as SmtpishError;
  const where = `${email.host}:${email.port}`;
  const raw = oneLine(messageOf(error));
  const codes = [e.code, e.originalCode, (e.cause as SmtpishError | undefined)?.code].filter(
    Boolean,
  ) as string[];
  const reply = e.response ? oneLine(e.response) : raw;
  const gmail = email.provider === 'gmail' || /(^|\.)(gmail|googlemail)\.com$/i.test(email.host);

  if (e.code === 'EAUTH' || e.responseCode === 535 || e.responseCode === 534) {
    if (e.responseCode === undefined) {
      return {
        permanent: true,
        message: `cannot log in to ${where}: ${raw}; check email.user and set the password with 'portwatch config set email.password -'`,
      };
    }
    if (gmail) {
      return {
        permanent: true,
        message: `Gmail refused the password for ${email.user} (${reply}): Gmail needs an app password, not your Google password, and app passwords need 2-Step Verification; create one at https://myaccount.google.com/apppasswords and set it with 'portwatch config set email.password -'`,
      };
    }
    return {
      permanent: true,
      message: `${where} refused the user name or password (${reply}); check email.user and set the password again with 'portwatch config set email.password -'`,
    };
  }
  if (codes.some((c) => CERT_CODES.has(c)) || /certificate/i.test(raw)) {
    return {
      permanent: false,
      message: `the TLS certificate of ${where} is not trusted (${raw.split(';')[0]}); if the server uses its own certificate authority, trust it with 'portwatch config set email.caFile /path/to/ca.pem'`,
    };
  }
  if (/wrong version number|packet length too long|unknown protocol|record layer failure/i.test(raw)) {
    return {
      permanent: false,
      message: `TLS mismatch with ${where} (${/wrong version number/i.test(raw) ? 'wrong version number' : raw}): the server does not start with TLS there; for a STARTTLS port (usually 587) run 'portwatch config set email.security starttls', or use port 465 with security tls`,
    };
  }
  if (/STARTTLS/i.test(raw) && (e.code === 'ETLS' || /not support|not advertised|requireTLS/i.test(raw))) {
    return {
      permanent: false,
      message: `${where} does not offer STARTTLS (${raw}); use port 465 with 'portwatch config set email.security tls', or 'none' only on a trusted local network`,
    };
  }
  if (codes.includes('ECONNREFUSED')) {
    return {
      permanent: false,
      message: `connection refused by ${where}: no mail server is listening there; check email.host and email.port`,
    };
  }
  if (e.code === 'EDNS' || codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')) {
    return {
      permanent: false,
      message: `cannot find the mail server '${email.host}' (DNS: ${raw}); check email.host and this machine's network`,
    };
  }
  if (e.code === 'ETIMEDOUT' || codes.includes('ETIMEDOUT')) {
    if (e.timeoutType === 'GREETING_TIMEOUT' && email.security !== 'tls' && email.port === 465) {
      return {
        permanent: false,
        message: `no greeting from ${where}: port 465 expects TLS from the start; run 'portwatch config set email.security tls'`,
      };
    }
    const what = e.timeoutType === 'GREETING_TIMEOUT' ? 'no SMTP greeting' : 'no answer';
    return {
      permanent: false,
      message: `${what} from ${where} in time (${raw}); the server or the network is down or slow, or a firewall drops the connection${email.security !== 'tls' ? '; if the port expects TLS from the start (465), set email.security tls' : ''}`,
    };
  }
  if (typeof e.responseCode === 'number') {
    const permanent = e.permanent ?? (e.responseCode >= 500 && e.responseCode !== 503);
    return {
      permanent,
      message: permanent
        ? `${where} rejected the message (${reply}); check email.from and email.to`
        : `${where} deferred the message (${reply}); it will be tried again`,
    };
  }
  if (codes.includes('ECONNRESET') || e.code === 'ECONNECTION' || e.code === 'ESOCKET') {
    return {
      permanent: false,
      message: `the connection to ${where} failed (${raw}); it will be tried again`,
    };
  }
  return { permanent: false, message: `sending via ${where} failed: ${raw}` };
}
