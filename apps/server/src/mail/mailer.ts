/**
 * Outgoing mail. With SMTP_URL set, messages go through nodemailer; without
 * it their recipient and subject are logged (development), and callers that
 * must hand a token to someone (invitations) show it to the person who asked instead.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config/index.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface MailResult {
  /** True when an SMTP server accepted the message. */
  delivered: boolean;
  message_id: string | null;
}

export interface MailLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export class Mailer {
  private transport: Transporter | null = null;

  constructor(
    private readonly config: Pick<Config, 'smtpUrl' | 'smtpFrom'>,
    private readonly log: MailLog,
  ) {
    if (config.smtpUrl) {
      // Local test and relay servers often present self-signed certificates on STARTTLS.
      this.transport = nodemailer.createTransport(config.smtpUrl, { tls: { rejectUnauthorized: false } } as never);
    }
  }

  get configured(): boolean {
    return this.transport !== null;
  }

  async send(message: MailMessage): Promise<MailResult> {
    if (!this.transport) {
      // Not the text: invitation and reset mails carry single-use tokens, and logs are no place for them.
      this.log.info({ mail: { to: message.to, subject: message.subject } }, 'mail: SMTP_URL not set, message not sent');
      return { delivered: false, message_id: null };
    }
    const info = await this.transport.sendMail({ from: this.config.smtpFrom, to: message.to, subject: message.subject, text: message.text, html: message.html });
    return { delivered: true, message_id: info.messageId ?? null };
  }

  /** Sends without failing the caller: a mail server being away must not fail the request that triggered it. */
  async trySend(message: MailMessage): Promise<MailResult> {
    try {
      return await this.send(message);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, to: message.to, subject: message.subject }, 'mail: sending failed');
      return { delivered: false, message_id: null };
    }
  }

  close(): void {
    this.transport?.close();
    this.transport = null;
  }
}
