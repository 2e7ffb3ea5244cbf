-- Tables of the benchmark (bench/run.sh creates them on both servers).
-- bench_insert: target of insert.sql, empty at the start.
-- bench_kv: 100,000 rows (k = 1..100000, a 100-byte v) for select.sql and update.sql.
DROP TABLE IF EXISTS bench_insert;
DROP TABLE IF EXISTS bench_kv;
CREATE TABLE bench_insert (k BIGINT PRIMARY KEY, v TEXT);
CREATE TABLE bench_kv (k BIGINT PRIMARY KEY, v TEXT);
