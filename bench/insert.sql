-- Insert one 100-byte row under a random BIGINT key (collisions are negligible).
\set k random(1, 9223372036854775807)
INSERT INTO bench_insert (k, v) VALUES (:k, 'vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv');
