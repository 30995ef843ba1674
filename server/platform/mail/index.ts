export { logMailer, MemoryMailer, smtpMailer } from './mail';
export type { Mailer, MailMessage } from './mail';
