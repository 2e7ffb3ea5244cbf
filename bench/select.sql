-- Point SELECT by primary key over bench_kv's rows (pgbench -D rows=100000).
\set k random(1, :rows)
SELECT v FROM bench_kv WHERE k = :k;
