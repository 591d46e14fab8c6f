// Writes vectors.json: payloads serialised by Node's own JSON.stringify and signed with Node's
// createHmac, so the .NET tests check JSON.stringify fidelity and signatures without needing Node.
// Regenerate with: node make-vectors.js > vectors.json   (seeded: the output is stable)
const crypto = require('crypto');

let seed = 20261125;
const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = items => items[Math.floor(rand() * items.length)];

const chars = () => {
  switch (Math.floor(rand() * 6)) {
    case 0: return String.fromCharCode(Math.floor(rand() * 0x20));             // control characters
    case 1: return String.fromCharCode(0xd800 + Math.floor(rand() * 0x800));   // surrogates, often lone
    case 2: return pick(['"', '\\', '/', '\u2028', '\u2029', '<', '&', "'"]);
    case 3: return String.fromCharCode(0x80 + Math.floor(rand() * 0xff7f));
    case 4: return pick(['🔑', 'ñ', 'é', '中']);
    default: return String.fromCharCode(0x20 + Math.floor(rand() * 0x5f));
  }
};
const text = () => Array.from({ length: Math.floor(rand() * 10) }, chars).join('');
const number = () => {
  const buffer = new DataView(new ArrayBuffer(8));
  switch (Math.floor(rand() * 5)) {
    case 0: for (let i = 0; i < 8; i++) buffer.setUint8(i, Math.floor(rand() * 256)); return buffer.getFloat64(0);
    case 1: return Math.floor(rand() * 2 ** 53) * (rand() < 0.5 ? -1 : 1);
    case 2: return (rand() - 0.5) * 10 ** Math.floor(rand() * 44 - 22);
    case 3: return pick([0, 1e21, 1e-7, 1e20, 0.1 + 0.2, 5e-324, 1.7976931348623157e308, 123.456, -0.000001]);
    default: return Math.floor(rand() * 1000);
  }
};
const value = depth => {
  const kind = Math.floor(rand() * (depth > 2 ? 4 : 6));
  if (kind === 0) return null;
  if (kind === 1) return rand() < 0.5;
  if (kind === 2) { const n = number(); return Number.isFinite(n) ? n : 0; }
  if (kind === 3) return text();
  if (kind === 4) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
  const object = {};
  for (let i = Math.floor(rand() * 5); i > 0; i--) object[rand() < 0.3 ? String(Math.floor(rand() * 20)) : text()] = value(depth + 1);
  return object;
};

const vectors = [];
for (let i = 0; i < 300; i++) {
  const json = JSON.stringify(value(0));
  const secret = pick(['secret', 'clé-secrète-🔑', crypto.createHash('sha256').update(String(i)).digest('hex')]);
  vectors.push({ json, secret, signature: 'sha256=' + crypto.createHmac('sha256', secret).update(json, 'utf8').digest('hex') });
}
process.stdout.write(JSON.stringify(vectors, null, 1) + '\n');
