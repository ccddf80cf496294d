/**
 * RFC 3161 time-stamp requests and tokens, through PKI.js (CMS signature, TSTInfo message imprint, and the
 * TSA's certificate chain checked at the token's own time). Each journal entry is time-stamped on its
 * hash: the token's message imprint is the SHA-256 of the canonical entry, which is the entry's `hash`.
 */
import { X509Certificate, randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const SHA256_OID = '2.16.840.1.101.3.4.2.1';
/** id-kp-timeStamping: the one extended key usage a TSA's certificate must have (RFC 3161 §2.3). */
const TIME_STAMPING_EKU = '1.3.6.1.5.5.7.3.8';
/** PKIStatus granted (0) and grantedWithMods (1): the only answers that carry a token. */
const GRANTED_STATUSES = new Set([0, 1]);

let engineSet = false;
function ensureEngine(): void {
  if (engineSet) return;
  // Node's Web Crypto, explicitly: PKI.js must not look for another one.
  pkijs.setEngine(
    'node-webcrypto',
    new pkijs.CryptoEngine({ name: 'node-webcrypto', crypto: webcrypto as never }),
  );
  engineSet = true;
}

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/** A DER TimeStampReq for a SHA-256 hash (hex), asking for the TSA's certificate in the token. */
export function timeStampRequest(hashHex: string): Buffer {
  ensureEngine();
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: SHA256_OID,
        algorithmParams: new asn1js.Null(),
      }),
      hashedMessage: new asn1js.OctetString({ valueHex: arrayBufferOf(Buffer.from(hashHex, 'hex')) }),
    }),
    nonce: new asn1js.Integer({
      valueHex: arrayBufferOf(Buffer.concat([Buffer.from([0x01]), randomBytes(8)])),
    }),
    certReq: true,
  });
  return Buffer.from(request.toSchema().toBER(false));
}

/** What a time-stamp response says, before any trust decision. */
export interface ParsedTimestamp {
  /** The hash (hex) the TSA stamped. */
  imprint: string;
  genTime: Date;
  serial: string;
}

/** Thrown for a response that is not a granted RFC 3161 time-stamp. */
export class TimestampFormatError extends Error {
  override readonly name = 'TimestampFormatError';
}

function parseResponse(der: Uint8Array): {
  response: pkijs.TimeStampResp;
  signed: pkijs.SignedData;
  info: ParsedTimestamp;
} {
  ensureEngine();
  const asn1 = asn1js.fromBER(arrayBufferOf(der));
  if (asn1.offset === -1) throw new TimestampFormatError('not DER');
  let response: pkijs.TimeStampResp;
  try {
    response = new pkijs.TimeStampResp({ schema: asn1.result });
  } catch {
    throw new TimestampFormatError('not an RFC 3161 time-stamp response');
  }
  const status = response.status.status;
  if (!GRANTED_STATUSES.has(status) || response.timeStampToken === undefined) {
    throw new TimestampFormatError(`the TSA did not grant the time-stamp (status ${status})`);
  }
  let signed: pkijs.SignedData;
  let tst: pkijs.TSTInfo;
  try {
    signed = new pkijs.SignedData({ schema: response.timeStampToken.content });
    const content = signed.encapContentInfo.eContent;
    if (content === undefined) throw new TimestampFormatError('the token has no TSTInfo');
    tst = pkijs.TSTInfo.fromBER(content.valueBlock.valueHexView);
  } catch (error) {
    if (error instanceof TimestampFormatError) throw error;
    throw new TimestampFormatError('the token is not a CMS SignedData holding a TSTInfo');
  }
  if (tst.messageImprint.hashAlgorithm.algorithmId !== SHA256_OID) {
    throw new TimestampFormatError('the token stamps a hash that is not SHA-256');
  }
  return {
    response,
    signed,
    info: {
      imprint: Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView).toString('hex'),
      genTime: tst.genTime,
      serial: Buffer.from(tst.serialNumber.valueBlock.valueHexView).toString('hex'),
    },
  };
}

/** Reads a time-stamp response (DER). @throws TimestampFormatError */
export function readTimestamp(der: Uint8Array): ParsedTimestamp {
  return parseResponse(der).info;
}

/** Certificates from a PEM file (a CA, possibly with intermediates). */
export function certificatesFromPem(pem: string): pkijs.Certificate[] {
  ensureEngine();
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => {
    const der = Buffer.from(block.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64');
    return pkijs.Certificate.fromBER(arrayBufferOf(der));
  });
}

export type TimestampVerdict = { ok: true; info: ParsedTimestamp } | { ok: false; problem: string };

/**
 * Verifies a token offline: that it stamps `data` (the canonical entry bytes), that its CMS signature holds,
 * that the signing certificate is a TSA's (id-kp-timeStamping) and chains to one of `trusted`, every
 * certificate of the chain valid at the token's time. Never throws.
 */
export async function verifyTimestamp(
  der: Uint8Array,
  data: Uint8Array,
  trusted: readonly pkijs.Certificate[],
): Promise<TimestampVerdict> {
  let parsed;
  try {
    parsed = parseResponse(der);
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
  const signerInfo = parsed.signed.signerInfos[0];
  if (signerInfo === undefined) return { ok: false, problem: 'the token has no signer' };
  try {
    const result = (await parsed.signed.verify({
      signer: 0,
      data: arrayBufferOf(data),
      trustedCerts: [...trusted],
      checkChain: true,
      extendedMode: true,
    })) as unknown as { signatureVerified?: boolean | null; signerCertificate?: pkijs.Certificate | null };
    if (result.signatureVerified !== true) return { ok: false, problem: 'the TSA signature does not hold' };
    const signer = result.signerCertificate;
    if (signer === null || signer === undefined) return { ok: false, problem: 'no signing certificate' };
    const x509 = new X509Certificate(Buffer.from(signer.toSchema().toBER(false)));
    const usages = x509.keyUsage ?? [];
    if (!usages.includes(TIME_STAMPING_EKU))
      return {
        ok: false,
        problem: 'the signing certificate is not a time-stamping certificate (id-kp-timeStamping)',
      };
    return { ok: true, info: parsed.info };
  } catch (error) {
    const message =
      error instanceof Error
        ? error.message
        : typeof error === 'object' && error !== null && 'message' in error
          ? String(error.message)
          : String(error);
    return { ok: false, problem: message.replace(/^Error during verification: /, '') };
  }
}
