// node-postgres checks against a Chronos node. server/node_test.go runs
// this with CHRONOS_URL set to the node's postgres:// URL; it prints one
// line per check and exits non-zero when a check fails.
'use strict';

const assert = require('node:assert/strict');
const { Client } = require('pg');

const url = process.env.CHRONOS_URL;
if (!url) {
  console.error('CHRONOS_URL is not set');
  process.exit(2);
}

async function expectError(client, query, values, code) {
  try {
    await client.query(query, values);
  } catch (err) {
    assert.equal(err.code, code, `${query}: code ${err.code} (${err.message}), want ${code}`);
    return err;
  }
  assert.fail(`${query}: succeeded, want error ${code}`);
}

const checks = {
  async parameters(c) {
    await c.query('CREATE TABLE items (id INT PRIMARY KEY, name TEXT, price NUMERIC(8,2), tags TEXT, seen TIMESTAMPTZ)');
    const ins = await c.query(
      'INSERT INTO items (id, name, price, seen) VALUES ($1, $2, $3, $4), ($5, $6, $7, NULL) RETURNING id',
      [1, 'apple', '1.25', new Date('2024-01-02T03:04:05Z'), 2, "pear's", 2]);
    assert.equal(ins.rowCount, 2);
    assert.deepEqual(ins.rows.map((r) => r.id), [1, 2]);
    const r = await c.query('SELECT id, name, price, seen FROM items WHERE id = $1', [1]);
    assert.equal(r.rows.length, 1);
    assert.equal(r.rows[0].name, 'apple');
    assert.equal(r.rows[0].price, '1.25'); // numeric arrives as a string
    assert.equal(r.rows[0].seen.toISOString(), '2024-01-02T03:04:05.000Z');
    assert.deepEqual(r.fields.map((f) => f.name), ['id', 'name', 'price', 'seen']);
    const q = await c.query('SELECT name FROM items WHERE name = $1', ["pear's"]);
    assert.equal(q.rows[0].name, "pear's");
    const n = await c.query('SELECT $1::int + 1 AS next, $2::text IS NULL AS missing', [41, null]);
    assert.deepEqual(n.rows[0], { next: 42, missing: true });
  },

  async preparedByName(c) {
    const q = { name: 'by-id', text: 'SELECT name FROM items WHERE id = $1' };
    for (const [id, name] of [[1, 'apple'], [2, "pear's"]]) {
      const r = await c.query({ ...q, values: [id] });
      assert.equal(r.rows[0].name, name);
    }
  },

  async rowModeArray(c) {
    const r = await c.query({ text: 'SELECT id, name FROM items ORDER BY id', rowMode: 'array' });
    assert.deepEqual(r.rows, [[1, 'apple'], [2, "pear's"]]);
    assert.deepEqual(r.fields.map((f) => f.name), ['id', 'name']);
  },

  async transactions(c) {
    await c.query('BEGIN');
    await c.query('INSERT INTO items (id, name) VALUES ($1, $2)', [3, 'plum']);
    const inside = await c.query('SELECT count(*)::int AS n FROM items');
    assert.equal(inside.rows[0].n, 3);
    await c.query('ROLLBACK');
    const after = await c.query('SELECT count(*)::int AS n FROM items');
    assert.equal(after.rows[0].n, 2);

    await c.query('BEGIN');
    await c.query('UPDATE items SET price = price + $1 WHERE id = $2', [1, 2]);
    await c.query('COMMIT');
    const p = await c.query('SELECT price FROM items WHERE id = 2');
    assert.equal(p.rows[0].price, '3.00');

    // An error inside a block fails it until ROLLBACK.
    await c.query('BEGIN');
    await expectError(c, 'INSERT INTO items (id, name) VALUES (1, $1)', ['dup'], '23505');
    await expectError(c, 'SELECT 1', [], '25P02');
    await c.query('ROLLBACK');
    const ok = await c.query('SELECT 1 AS one');
    assert.equal(ok.rows[0].one, 1);
  },

  async errorCodes(c) {
    const e = await expectError(c, 'SELECT * FROM nowhere', [], '42P01');
    assert.match(e.message, /relation "nowhere" does not exist/);
    await expectError(c, 'SELECT nope FROM items', [], '42703');
    await expectError(c, 'SELEC 1', [], '42601');
    await expectError(c, 'SELECT 1 / $1::int', [0], '22012');
    await expectError(c, 'INSERT INTO items (id) VALUES ($1)', ['x'], '22P02');
    // The connection still works.
    const r = await c.query('SELECT count(*)::int AS n FROM items');
    assert.equal(r.rows[0].n, 2);
  },
};

async function main() {
  const c = new Client({ connectionString: url });
  await c.connect();
  let failed = 0;
  try {
    for (const [name, fn] of Object.entries(checks)) {
      try {
        await fn(c);
        console.log(`ok ${name}`);
      } catch (err) {
        failed++;
        console.log(`FAIL ${name}: ${err && err.stack ? err.stack : err}`);
      }
    }
  } finally {
    await c.end();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
