-- Point SELECT by primary key over bench_kv's 100,000 rows.
\set k random(1, 100000)
SELECT v FROM bench_kv WHERE k = :k;
