// Package sqllogictest runs SQLite's sqllogictest scripts against a server
// that speaks the PostgreSQL wire protocol, the way issue 7 asks: Chronos
// must pass, file by file, at least as many records as PostgreSQL 15 does.
//
// The package has three parts, one file each:
//
//   - parse.go reads a script into records (statement ok/error, query,
//     hash-threshold, halt) with their skipif/onlyif conditions.
//   - format.go turns the server's text values into the lines the scripts
//     expect (I, T and R columns, NULL, booleans as 1/0, sorting, MD5
//     hashing of large results) and compares them.
//   - runner.go sends each counted record over pgx in one protocol mode
//     (simple or extended, text results either way), with a time limit per
//     record, reconnecting after a timeout and stopping the run with
//     ErrServerDown when the server no longer accepts connections.
//
// report.go prints the per-file lines (`file: passed/counted (PostgreSQL:
// N)`) and reads the PostgreSQL counts; baseline.go keeps the checked-in
// pass counts that CI must not fall below. The corpus, PostgreSQL's counts
// and the baseline live in testdata; README.md says how to run them.
//
// The runner treats the engine as "postgresql" for skipif/onlyif and knows
// nothing about Chronos: it must give PostgreSQL 15's counts when pointed at
// PostgreSQL 15, and it is never special-cased to make Chronos pass.
package sqllogictest
