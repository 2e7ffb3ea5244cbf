-- UPDATE one row of bench_kv by primary key, writing a new 100-byte value.
\set k random(1, 100000)
UPDATE bench_kv SET v = 'uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu' WHERE k = :k;
