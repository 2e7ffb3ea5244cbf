// Package engine runs SQL for Chronos: sessions, planning and execution of
// queries, and the translation of writes and DDL into commands for the
// replicated state machine. It is the layer between the PostgreSQL wire
// protocol (package pgwire, adapted by package server) and the storage
// state machine (package engine/storage) that the consensus log feeds.
//
// # Pieces
//
//	DB          one node's database: the storage.Store, the Log writes go
//	            through, and the consensus StateMachine methods (db.go,
//	            statemachine.go)
//	Log         Propose and LinearizableRead: the consensus node in the
//	            server, a LocalLog in tests and embedded use (log.go)
//	Session     one client: settings, transaction status, Query and
//	            Prepare (session.go, settings.go, utility.go)
//	Statement   a prepared statement keeping its plan (statement.go)
//	builder     AST to plan: scopes and name resolution (scope.go), FROM
//	            and joins (build_from.go), SELECT (build_select.go),
//	            grouping (build_agg.go), ORDER BY (build_order.go), set
//	            operations (build_setop.go), WITH and views (with.go),
//	            index selection (index.go), subqueries (subquery.go)
//	planNode    the executable tree: scans (node_scan.go), joins, sorts,
//	            aggregation, set operations, filters and projections
//	            (node_*.go), index nested loop joins (build_lookup.go);
//	            EXPLAIN renders it (explain.go)
//	writes      INSERT (dml_insert.go), UPDATE and DELETE (dml_modify.go),
//	            DDL (ddl.go), and the propose-and-retry loop (write.go)
//
// # The request path
//
// A query string arrives at Session.Query (simple protocol) or
// Session.Prepare and Statement.Execute (extended protocol). The dialect
// front end (engine/dialect) splits it into statements and parses each
// with the TiDB parser, or recognises it as one of the statements it
// handles itself (SET, SHOW, BEGIN, TRUNCATE, ...).
//
// Each statement is planned against the catalog of the current snapshot.
// Expressions are compiled by engine/expr through a Resolver the planner
// provides: column references resolve through scopes (the FROM clause,
// then enclosing queries for correlated subqueries), and after grouping
// to the aggregation's output. A prepared statement keeps its plan; the
// plan records the table and view definitions it was built on and is
// rebuilt when one of them changes.
//
// Reads. Unless the session chose stale reads (SET
// chronos.read_consistency = 'stale'), the statement first calls
// Log.LinearizableRead, which returns once this node has applied
// everything committed before the call; then it takes a storage snapshot
// (immutable, O(1)) and runs the plan on it. Plans are push-based trees
// of planNodes; a table scan hands the stored rows' values up without
// copying, and an equality or range on an indexed column becomes a B-tree
// lookup or range scan. Inner joins are reordered greedily along their
// equalities, starting from the most selective table; a join step whose
// right side is a table with an index on the join key probes the index
// for each left row, otherwise the right side is hashed on the equality
// keys (or scanned for each left row when there are none). Long loops
// check the statement's context, so a cancelled statement (CancelRequest,
// statement_timeout) ends with 57014.
//
// Writes (DESIGN.md decision 3). INSERT, UPDATE and DELETE are evaluated
// here, on a snapshot: defaults, now(), WHERE and the new values. The
// outcome is a storage.Write: inserted rows (serial columns left for
// Apply to fill from their sequences), and updated or deleted rows by row
// ID with the version read. It is encoded and proposed through the Log;
// Propose returns once the entry is committed and applied on this node,
// with Apply's storage.Result. A version that changed meanwhile is
// rejected by Apply with 40001 and the statement is evaluated again on a
// fresh snapshot, with a short randomised pause, up to Options.RetryLimit
// times. An UPDATE that only adds constants to non-indexed columns of one
// row found by its primary key travels as an increment, which concurrent
// increments do not invalidate. DDL statements become storage commands
// the same way.
//
// Transactions. BEGIN, COMMIT and ROLLBACK are accepted and the
// transaction status is reported, but each statement in a block still
// commits on its own; serializable multi-statement transactions come next.
//
// # The state machine
//
// DB implements the consensus package's StateMachine: Apply decodes a
// committed entry and applies it to the store, Checkpoint writes the CSV
// checkpoint, SnapshotData and Restore move the whole state between
// nodes as a tar archive of a checkpoint. The consensus node calls Apply
// from one goroutine, in log order.
package engine
