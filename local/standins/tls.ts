/**
 * A local certificate authority for the stand-ins, created once and kept in a git-ignored folder. Stand-ins serve
 * HTTPS with a certificate it signs (for localhost and 127.0.0.1), and the app trusts it through
 * NODE_EXTRA_CA_CERTS, as people trust the Cosmos DB emulator's certificate. No insecure switch in app code.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

export interface TlsMaterial {
  /** PEM private key and certificate chain of the stand-ins' server certificate. */
  key: string;
  cert: string;
  /** The CA certificate (PEM) and the file holding it, for NODE_EXTRA_CA_CERTS. */
  caCert: string;
  caPath: string;
}

const CA_FILE = 'pimflow-local-ca.pem';
const CA_KEY_FILE = 'pimflow-local-ca.key';
const SERVER_FILE = 'server.pem';
const SERVER_KEY_FILE = 'server.key';

/** Returns the CA and server certificate in `dir`, creating them the first time. */
export function ensureLocalTls(dir: string): TlsMaterial {
  const caPath = path.join(dir, CA_FILE);
  const files = [CA_FILE, CA_KEY_FILE, SERVER_FILE, SERVER_KEY_FILE].map((f) => path.join(dir, f));
  if (!files.every((f) => existsSync(f)) || expiresSoon(readFileSync(path.join(dir, SERVER_FILE), 'utf8'))) {
    mkdirSync(dir, { recursive: true });
    const ca = createCertificate({ commonName: 'pimflow local development CA', isCa: true });
    const server = createCertificate({ commonName: 'localhost', isCa: false, issuer: ca });
    writeFileSync(caPath, ca.certPem);
    writeFileSync(path.join(dir, CA_KEY_FILE), ca.keyPem, { mode: 0o600 });
    writeFileSync(path.join(dir, SERVER_FILE), server.certPem);
    writeFileSync(path.join(dir, SERVER_KEY_FILE), server.keyPem, { mode: 0o600 });
  }
  return {
    key: readFileSync(path.join(dir, SERVER_KEY_FILE), 'utf8'),
    cert: readFileSync(path.join(dir, SERVER_FILE), 'utf8'),
    caCert: readFileSync(caPath, 'utf8'),
    caPath,
  };
}

/** Whether NODE_EXTRA_CA_CERTS already names this CA (it is read once, when Node starts). */
export function processTrusts(tls: TlsMaterial): boolean {
  return process.env.NODE_EXTRA_CA_CERTS === tls.caPath;
}

interface Issued {
  certPem: string;
  keyPem: string;
  cert: forge.pki.Certificate;
  keys: forge.pki.rsa.KeyPair;
}

function createCertificate(o: { commonName: string; isCa: boolean; issuer?: Issued }): Issued {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + (o.isCa ? 3650 : 825) * 24 * 3600_000);
  const subject = [
    { name: 'commonName', value: o.commonName },
    { name: 'organizationName', value: 'pimflow local' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(o.issuer ? o.issuer.cert.subject.attributes : subject);
  cert.setExtensions(
    o.isCa
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
          { name: 'subjectKeyIdentifier' },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
          { name: 'extKeyUsage', serverAuth: true },
          {
            name: 'subjectAltName',
            altNames: [
              { type: 2, value: 'localhost' },
              { type: 7, ip: '127.0.0.1' },
              { type: 7, ip: '::1' },
            ],
          },
        ],
  );
  cert.sign(o.issuer ? o.issuer.keys.privateKey : keys.privateKey, forge.md.sha256.create());
  return {
    cert,
    keys,
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
  };
}

function expiresSoon(pem: string): boolean {
  const cert = forge.pki.certificateFromPem(pem);
  return cert.validity.notAfter.getTime() - Date.now() < 30 * 24 * 3600_000;
}
