-- UPDATE one row of bench_kv by primary key, writing a new 100-byte value (pgbench -D rows=100000).
\set k random(1, :rows)
UPDATE bench_kv SET v = 'uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu' WHERE k = :k;
