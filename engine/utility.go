package engine

import (
	"context"
	"strings"

	"github.com/chronos-db/chronos/engine/dialect"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
)

// Transaction statements: BEGIN, COMMIT, ROLLBACK and savepoints; the
// transactions themselves are in txn.go.

// planSpecial plans a statement the dialect front end recognised itself.
func (s *Session) planSpecial(st *dialect.Statement) (stmtPlan, error) {
	simple := func(fn func(ctx context.Context, s *Session) (Result, error)) stmtPlan {
		return &funcPlan{fn: func(ctx context.Context, s *Session, _ []types.Value) (Result, error) { return fn(ctx, s) }}
	}
	switch x := st.Special.(type) {
	case *dialect.Show:
		return s.planShow(x)
	case *dialect.Set:
		return simple(func(ctx context.Context, s *Session) (Result, error) { return s.set(x) }), nil
	case *dialect.Reset:
		return simple(func(ctx context.Context, s *Session) (Result, error) {
			if x.Name == "all" {
				s.settings.resetAll()
			} else if err := s.settings.reset(x.Name); err != nil {
				return Result{}, err
			}
			return Result{Tag: "RESET"}, nil
		}), nil
	case *dialect.Begin:
		return simple(func(ctx context.Context, s *Session) (Result, error) {
			if err := checkIsolationMode(x.TransactionModes); err != nil {
				return Result{}, err
			}
			var res Result
			if s.txStatus != 'I' {
				res.Notices = append(res.Notices, "there is already a transaction in progress")
			} else {
				readOnly := s.settings.readOnlyDefault()
				if x.ReadOnly != nil {
					readOnly = *x.ReadOnly
				}
				s.beginTx(readOnly)
			}
			res.Tag = "BEGIN"
			return res, nil
		}), nil
	case *dialect.Commit:
		return simple(func(ctx context.Context, s *Session) (Result, error) {
			res := Result{Tag: "COMMIT"}
			switch s.txStatus {
			case 'I':
				res.Notices = append(res.Notices, "there is no transaction in progress")
			case 'E':
				res.Tag = "ROLLBACK"
				s.endTx()
				return res, nil
			}
			if err := s.commitTx(ctx); err != nil {
				return Result{}, err
			}
			return res, nil
		}), nil
	case *dialect.Rollback:
		return simple(func(ctx context.Context, s *Session) (Result, error) {
			res := Result{Tag: "ROLLBACK"}
			if s.txStatus == 'I' {
				res.Notices = append(res.Notices, "there is no transaction in progress")
			}
			s.endTx()
			return res, nil
		}), nil
	case *dialect.Savepoint:
		return simple(func(ctx context.Context, s *Session) (Result, error) {
			if s.tx == nil {
				return Result{}, sqlerr.New(sqlerr.NoActiveSQLTransaction, "SAVEPOINT can only be used in transaction blocks")
			}
			s.tx.savepoint(x.Name)
			return Result{Tag: "SAVEPOINT"}, nil
		}), nil
	case *dialect.Release:
		return simple(func(ctx context.Context, s *Session) (Result, error) {
			if s.tx == nil {
				return Result{}, sqlerr.New(sqlerr.NoActiveSQLTransaction, "RELEASE SAVEPOINT can only be used in transaction blocks")
			}
			i := s.tx.findSavepoint(x.Name)
			if i < 0 {
				return Result{}, errNoSavepoint(x.Name)
			}
			s.tx.release(i)
			return Result{Tag: "RELEASE"}, nil
		}), nil
	case *dialect.RollbackTo:
		return simple(func(ctx context.Context, s *Session) (Result, error) {
			if s.tx == nil {
				return Result{}, sqlerr.New(sqlerr.NoActiveSQLTransaction, "ROLLBACK TO SAVEPOINT can only be used in transaction blocks")
			}
			i := s.tx.findSavepoint(x.Name)
			if i < 0 {
				return Result{}, errNoSavepoint(x.Name)
			}
			s.tx.rollbackTo(i)
			s.txStatus = 'T'
			return Result{Tag: "ROLLBACK"}, nil
		}), nil
	case *dialect.Truncate:
		return simple(func(ctx context.Context, s *Session) (Result, error) { return s.truncate(ctx, x) }), nil
	case *dialect.Vacuum:
		return simple(func(ctx context.Context, s *Session) (Result, error) {
			return s.checkTablesExist(x.Tables, "VACUUM")
		}), nil
	case *dialect.Analyze:
		return simple(func(ctx context.Context, s *Session) (Result, error) {
			return s.checkTablesExist(x.Tables, "ANALYZE")
		}), nil
	case *dialect.Discard:
		return simple(func(ctx context.Context, s *Session) (Result, error) {
			if x.What == "all" {
				if s.txStatus != 'I' {
					return Result{}, sqlerr.New(sqlerr.ActiveSQLTransaction, "DISCARD ALL cannot run inside a transaction block")
				}
				s.settings.resetAll()
			}
			return Result{Tag: "DISCARD " + strings.ToUpper(x.What)}, nil
		}), nil
	case *dialect.Deallocate:
		// SQL-level prepared statements belong to the protocol layer;
		// here there is nothing to free.
		return simple(func(ctx context.Context, s *Session) (Result, error) {
			if x.All {
				return Result{Tag: "DEALLOCATE ALL"}, nil
			}
			return Result{Tag: "DEALLOCATE"}, nil
		}), nil
	case *dialect.DropIndex:
		return simple(func(ctx context.Context, s *Session) (Result, error) {
			if s.tx != nil {
				return Result{}, errDDLInTransaction()
			}
			return s.dropIndexes(ctx, x.Names, x.IfExists)
		}), nil
	case *dialect.Checkpoint:
		return simple(func(ctx context.Context, s *Session) (Result, error) {
			if _, err := s.db.Checkpoint(); err != nil {
				return Result{}, err
			}
			return Result{Tag: "CHECKPOINT"}, nil
		}), nil
	case *dialect.Copy:
		return s.planCopy(x)
	case *dialect.CreateRole, *dialect.AlterRole, *dialect.DropRole, *dialect.Grant:
		return s.planRole(x)
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "statement %T is not supported", st.Special)
}

// checkIsolationMode accepts the isolation levels of BEGIN and SET
// TRANSACTION (Chronos runs every one as serializable).
func checkIsolationMode(m dialect.TransactionModes) error {
	if m.Isolation == "" {
		return nil
	}
	if _, err := checkIsolation(m.Isolation); err != nil {
		return sqlerr.New(sqlerr.SyntaxError, "syntax error at or near \"%s\"", m.Isolation)
	}
	return nil
}

// checkTablesExist implements VACUUM and ANALYZE, which have nothing to do
// but check their tables exist.
func (s *Session) checkTablesExist(tables []string, tag string) (Result, error) {
	snap := s.db.Snapshot()
	for _, t := range tables {
		if _, ok := lookupTable(snap, t); !ok {
			return Result{}, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", t)
		}
	}
	return Result{Tag: tag}, nil
}

// planShow plans SHOW name and SHOW ALL.
func (s *Session) planShow(x *dialect.Show) (stmtPlan, error) {
	if x.Name == "cluster" {
		return s.planShowCluster(), nil
	}
	if x.Name == "all" {
		cols := []Column{{Name: "name", Type: types.Text}, {Name: "setting", Type: types.Text}, {Name: "description", Type: types.Text}}
		return &funcPlan{cols: cols, fn: func(ctx context.Context, s *Session, _ []types.Value) (Result, error) {
			res := Result{Columns: cols}
			for _, n := range settingNames() {
				st := settings[n]
				v, _ := s.settings.get(n)
				res.Rows = append(res.Rows, []types.Value{st.name, v, st.desc})
			}
			res.Tag = "SHOW"
			return res, nil
		}}, nil
	}
	st, err := lookupSetting(x.Name)
	if err != nil {
		return nil, err
	}
	cols := []Column{{Name: st.name, Type: types.Text}}
	return &funcPlan{cols: cols, fn: func(ctx context.Context, s *Session, _ []types.Value) (Result, error) {
		v, ok := s.settings.get(st.name)
		if !ok {
			return Result{}, sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", x.Name)
		}
		return Result{Columns: cols, Rows: [][]types.Value{{v}}, Tag: "SHOW"}, nil
	}}, nil
}

// set runs SET.
func (s *Session) set(x *dialect.Set) (Result, error) {
	if x.Transaction != nil {
		if err := checkIsolationMode(*x.Transaction); err != nil {
			return Result{}, err
		}
		if x.Transaction.ReadOnly != nil && !x.Session && s.tx != nil {
			if !*x.Transaction.ReadOnly && s.tx.readOnly && s.tx.base != nil {
				return Result{}, sqlerr.New(sqlerr.ActiveSQLTransaction, "transaction read-write mode must be set before any query")
			}
			s.tx.readOnly = *x.Transaction.ReadOnly
		}
		if x.Transaction.Isolation != "" && !x.Session && s.tx != nil && s.tx.base != nil {
			return Result{}, sqlerr.New(sqlerr.ActiveSQLTransaction, "SET TRANSACTION ISOLATION LEVEL must be called before any query")
		}
		if x.Transaction.Isolation != "" {
			name := "transaction_isolation"
			if x.Session {
				name = "default_transaction_isolation"
			}
			if err := s.settings.set(name, x.Transaction.Isolation); err != nil {
				return Result{}, err
			}
		}
		return Result{Tag: "SET"}, nil
	}
	if x.Default {
		if err := s.settings.reset(x.Name); err != nil {
			return Result{}, err
		}
		return Result{Tag: "SET"}, nil
	}
	if err := s.settings.set(x.Name, strings.Join(x.Values, ", ")); err != nil {
		return Result{}, err
	}
	return Result{Tag: "SET"}, nil
}

// planSetAST handles a SET the TiDB parser parsed itself (name = value
// forms the dialect left alone).
func (s *Session) planSetAST(n *ast.SetStmt) (stmtPlan, error) {
	var sets []*dialect.Set
	for _, v := range n.Variables {
		if v.IsSystem && v.Name == "" {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "this form of SET is not supported")
		}
		d := &dialect.Set{Name: strings.ToLower(v.Name)}
		switch e := v.Value.(type) {
		case nil:
			d.Default = true
		case *ast.DefaultExpr:
			d.Default = true
		case ast.ValueExpr:
			d.Values = []string{valueText(e.GetValue())}
		case *ast.ColumnNameExpr:
			d.Values = []string{e.Name.Name.O}
		default:
			var sb strings.Builder
			if err := v.Value.Restore(format.NewRestoreCtx(format.RestoreStringWithoutCharset, &sb)); err != nil {
				return nil, sqlerr.New(sqlerr.SyntaxError, "invalid value for SET %s", v.Name)
			}
			d.Values = []string{sb.String()}
		}
		sets = append(sets, d)
	}
	return &funcPlan{fn: func(ctx context.Context, s *Session, _ []types.Value) (Result, error) {
		for _, d := range sets {
			if _, err := s.set(d); err != nil {
				return Result{}, err
			}
		}
		return Result{Tag: "SET"}, nil
	}}, nil
}
