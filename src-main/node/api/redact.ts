// Redaction of secrets from anything that may reach a log line, an error message or a stack:
// API keys registered by a client are replaced by "[API key]", and URLs lose their query string
// (a signed storage URL's query string is its credential).
const secrets = new Set<string>();

/** Registers a secret (the API key) so that every later redaction hides it. Short strings are ignored. */
export function registerSecret(secret: string): void {
  if (secret.length >= 4) secrets.add(secret);
}

/** A URL without its query string and fragment, e.g. for logging a signed URL. */
export function redactUrl(url: string): string {
  const cut = url.search(/[?#]/);
  return cut < 0 ? url : `${url.slice(0, cut)}?[redacted]`;
}

const urlWithQuery = /\b(https?:\/\/[^\s?#"'<>]+)[?#][^\s"'<>]*/gi;

export function redactText(text: string): string {
  let out = text.replace(urlWithQuery, '$1?[redacted]');
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join('[API key]');
  }
  return out;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogSink = (level: LogLevel, message: string) => void;

/** Wraps a log sink so that every message is redacted first; a missing sink logs nothing. */
export function safeLog(sink: LogSink | undefined): LogSink {
  return (level, message) => {
    if (!sink) return;
    try {
      sink(level, redactText(message));
    } catch {
      // a failing log sink must not break an API call
    }
  };
}
