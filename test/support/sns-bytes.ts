/**
 * The bytes SNS counts for a message, computed in tests from what is sent,
 * independently of the code under test: the `MessageStructure: json` body (the
 * document as JSON inside JSON, beside the e-mail text), the subject, and each
 * attribute's name, data type (`String`) and value, as UTF-8.
 */
export function bytesOnTheWire(message: {
  readonly subject: string;
  readonly document: unknown;
  readonly text: string;
  readonly attributes: Readonly<Record<string, string>>;
}): number {
  const body = JSON.stringify({ default: JSON.stringify(message.document), email: message.text });
  const attributes = Object.entries(message.attributes).map(
    ([name, value]) => `${name}String${value === '' ? '-' : value}`,
  );
  return Buffer.byteLength(body + message.subject + attributes.join(''), 'utf8');
}
