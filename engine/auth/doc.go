// Package auth holds the password secrets of Chronos roles, stored as
// PostgreSQL stores them: a SCRAM-SHA-256 verifier
// ("SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>") or an md5
// hash ("md5" + hex(md5(password + user))), never the password itself.
// Both the wire protocol (pgwire, which verifies clients) and the engine
// (CREATE ROLE ... PASSWORD, which hashes) use it, so it imports nothing
// of Chronos.
package auth
