import nodemailer from 'nodemailer';
import type { Logger } from '@server/platform/log';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail. Without SMTP_URL the message goes to the log instead (see README). */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** SMTP through nodemailer. */
export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(m) {
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text });
    },
  };
}

/** Writes each message to the log: how a fresh install without SMTP delivers reset links. */
export function logMailer(log: Logger): Mailer {
  return {
    send(m) {
      log.info(
        { mail: { to: m.to, subject: m.subject, text: m.text } },
        'mail not sent (no SMTP_URL): logged instead',
      );
      return Promise.resolve();
    },
  };
}

/** Keeps messages in memory, for tests. */
export class MemoryMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  send(m: MailMessage): Promise<void> {
    this.sent.push(m);
    return Promise.resolve();
  }
}
