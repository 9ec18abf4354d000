import { createHash } from 'node:crypto';

/**
 * The algorithm name at the start of an SSH public key blob (RFC 4253 §6.6: a length-prefixed
 * string), e.g. `ssh-ed25519`; null when the blob is too short to hold one.
 */
export function sshKeyBlobType(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return null;
  return blob.toString('latin1', 4, 4 + length);
}

/** The fingerprint OpenSSH prints, `SHA256:` and unpadded base64, for messages users compare by eye. */
export function sshKeyFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
