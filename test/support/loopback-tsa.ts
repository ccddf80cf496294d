import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A real RFC 3161 time-stamping authority on loopback: a tiny HTTP server that answers each
 * `application/timestamp-query` with `openssl ts -reply`, signing with a TSA certificate issued by a test
 * CA made here with `openssl` (and, on demand, with an expired TSA certificate, or with a token for another
 * hash than the one asked).
 */
export interface LoopbackTsa {
  url: string;
  /** The test CA's certificate (PEM file): what `esms verify --tsa-ca` and `caFile` are given. */
  caFile: string;
  /** `valid` (default), `expired` (a TSA certificate that ended in 2021), `other-hash` (a token for another hash). */
  mode: 'valid' | 'expired' | 'other-hash';
  requests: number;
  close(): Promise<void>;
}

const CONFIG = `
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
serial = SERIAL
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
[ ca ]
default_ca = testca
[ testca ]
database = DIR/index.txt
new_certs_dir = DIR
serial = DIR/caserial
default_md = sha256
policy = anything
copy_extensions = none
x509_extensions = tsa_ext
[ anything ]
commonName = supplied
[ tsa_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
`;

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

export async function startLoopbackTsa(): Promise<LoopbackTsa> {
  const dir = await mkdtemp(join(tmpdir(), 'esms-e2e-tsa-'));
  const config = join(dir, 'tsa.cnf');
  await writeFile(config, CONFIG.replaceAll('DIR', dir).replace('SERIAL', join(dir, 'tsaserial')));
  await writeFile(join(dir, 'tsaserial'), '01\n');
  await writeFile(join(dir, 'caserial'), '01\n');
  await writeFile(join(dir, 'index.txt'), '');
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '3650',
    '-subj',
    '/CN=esms test TSA CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const issue = (name: string, start: string, end: string): void => {
    openssl(dir, [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=esms test ${name}`,
    ]);
    openssl(dir, [
      'ca',
      '-batch',
      '-config',
      config,
      '-cert',
      'ca.crt',
      '-keyfile',
      'ca.key',
      '-in',
      `${name}.csr`,
      '-out',
      `${name}.crt`,
      '-startdate',
      start,
      '-enddate',
      end,
      '-notext',
    ]);
  };
  issue('tsa', '20200101000000Z', '20500101000000Z');
  issue('expired', '20200101000000Z', '20210101000000Z');
  // A query for some other hash, answered on demand in place of the one asked.
  const otherHash = randomBytes(32).toString('hex');
  openssl(dir, ['ts', '-query', '-digest', otherHash, '-sha256', '-cert', '-out', 'other.tsq']);

  let counter = 0;
  const tsa: LoopbackTsa = {
    url: '',
    caFile: join(dir, 'ca.crt'),
    mode: 'valid',
    requests: 0,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        tsa.requests += 1;
        counter += 1;
        const query = join(dir, `q${counter}.tsq`);
        const reply = join(dir, `r${counter}.tsr`);
        await writeFile(query, Buffer.concat(chunks));
        const signer = tsa.mode === 'expired' ? 'expired' : 'tsa';
        try {
          await run('openssl', [
            'ts',
            '-reply',
            '-config',
            config,
            '-queryfile',
            tsa.mode === 'other-hash' ? join(dir, 'other.tsq') : query,
            '-signer',
            join(dir, `${signer}.crt`),
            '-inkey',
            join(dir, `${signer}.key`),
            '-out',
            reply,
          ]);
          const body = await readFile(reply);
          res.writeHead(200, {
            'Content-Type': 'application/timestamp-reply',
            'Content-Length': body.length,
          });
          res.end(body);
        } catch (error) {
          res.writeHead(500).end(String(error));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TSA address');
  tsa.url = `http://127.0.0.1:${address.port}/tsa`;
  return tsa;
}
