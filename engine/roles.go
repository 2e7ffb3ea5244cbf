package engine

import (
	"context"

	"github.com/chronos-db/chronos/engine/auth"
	"github.com/chronos-db/chronos/engine/dialect"
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Roles and privileges (issue 8). Roles are stored replicated by the
// storage package (hashed secrets only); this file runs CREATE/ALTER/DROP
// ROLE, GRANT and REVOKE, and checks a session's privileges on every plan
// it builds, and again whenever a plan runs, so a REVOKE takes effect on
// prepared statements too. Every node checks its own sessions against its
// own replica of the role catalog.

// Security tells the engine whether clients authenticate.
type Security struct {
	// Enforce turns roles and privileges on. When false (trust
	// authentication) every session is a superuser.
	Enforce bool
	// Superuser is the first superuser configured on the command line; it
	// is a superuser unless a stored role of that name says otherwise.
	Superuser string
	// MD5 stores new passwords as md5 hashes instead of SCRAM-SHA-256
	// verifiers (password_encryption = md5).
	MD5 bool
}

// LoginSecret returns the stored password secret of a role that may log
// in and has a password; the server's authentication uses it.
func (db *DB) LoginSecret(user string) (string, bool) {
	r, ok := db.Snapshot().Role(user)
	if !ok || !r.Login || r.Secret == "" {
		return "", false
	}
	return r.Secret, true
}

// isSuperuser reports whether the session's user is a superuser in snap.
func (s *Session) isSuperuser(snap *storage.Snapshot) bool {
	sec := s.db.opts.Security
	if !sec.Enforce {
		return true
	}
	if r, ok := snap.Role(s.user); ok {
		return r.Superuser
	}
	return s.user == sec.Superuser
}

// need is a privilege a plan needs on a table.
type need struct {
	def  *storage.TableDef
	priv storage.Privileges
}

// privilegeNames name the privileges in GRANT and in error messages.
var privilegeNames = map[string]storage.Privileges{
	"select": storage.PrivSelect,
	"insert": storage.PrivInsert,
	"update": storage.PrivUpdate,
	"delete": storage.PrivDelete,
}

// codeObjectInUse is SQLSTATE 55006, which the shared catalogue lacks.
const codeObjectInUse sqlerr.Code = "55006"

func permissionDenied(format string, args ...any) *sqlerr.Error {
	return sqlerr.New(sqlerr.InsufficientPrivilege, format, args...)
}

// buildPlanAuthorized builds a plan (buildPlanLocal) and, for a session
// that is not a superuser, checks and wraps it: see authorize.
func (s *Session) buildPlanAuthorized(ctx context.Context, st *dialect.Statement, params *expr.Params) (stmtPlan, error) {
	if !s.db.opts.Security.Enforce {
		return s.buildPlanLocal(ctx, st, params)
	}
	snap := s.db.Snapshot()
	if s.isSuperuser(snap) {
		return s.buildPlanLocal(ctx, st, params)
	}
	if err := s.allowedStatement(st); err != nil {
		return nil, err
	}
	p, err := s.buildPlanLocal(ctx, st, params)
	if err != nil {
		return nil, err
	}
	needs, err := s.planNeeds(ctx, st, p)
	if err != nil {
		return nil, err
	}
	if err := s.checkNeeds(snap, needs); err != nil {
		// This node may not have applied a GRANT that has committed:
		// refuse only what the grants as of now refuse.
		if err := s.db.readBarrier(ctx, s.settings.stale); err != nil {
			return nil, err
		}
		if err := s.checkNeeds(s.db.Snapshot(), needs); err != nil {
			return nil, err
		}
	}
	return &checkedPlan{stmtPlan: p, needs: needs}, nil
}

// checkedPlan checks its privileges again each time it runs.
type checkedPlan struct {
	stmtPlan
	needs []need
}

// The check reads the grants after a read barrier (none with stale reads):
// a GRANT or REVOKE acknowledged before the statement started applies to
// it on every node, as the data it reads does.
func (p *checkedPlan) exec(ctx context.Context, s *Session, params []types.Value) (Result, error) {
	if err := s.db.readBarrier(ctx, s.settings.stale); err != nil {
		return Result{}, err
	}
	snap := s.db.Snapshot()
	if !s.isSuperuser(snap) {
		if err := s.checkNeeds(snap, p.needs); err != nil {
			return Result{}, err
		}
	}
	return p.stmtPlan.exec(ctx, s, params)
}

// checkNeeds checks the session user's grants in snap.
func (s *Session) checkNeeds(snap *storage.Snapshot, needs []need) error {
	role, _ := snap.Role(s.user)
	for _, n := range needs {
		t, ok := snap.Table(n.def.Name)
		if !ok {
			continue // the plan will be rebuilt, and checked again
		}
		if role.TablePrivileges(t)&n.priv != n.priv {
			return permissionDenied("permission denied for table %s", n.def.Name)
		}
	}
	return nil
}

// allowedStatement refuses to a non-superuser what only superusers may do:
// DDL (there are no owners: the superusers own every table), role
// statements, TRUNCATE, CHECKPOINT.
func (s *Session) allowedStatement(st *dialect.Statement) error {
	switch x := st.Special.(type) {
	case nil:
	case *dialect.AlterRole:
		// A role may change its own password, as in PostgreSQL.
		o := x.Options
		if x.Name == s.user && o.Login == nil && o.Superuser == nil {
			return nil
		}
		return permissionDenied("permission denied to alter role")
	case *dialect.CreateRole:
		return permissionDenied("permission denied to create role")
	case *dialect.DropRole:
		return permissionDenied("permission denied to drop role")
	case *dialect.Grant:
		if len(x.Tables) > 0 {
			return permissionDenied("permission denied for table %s", x.Tables[0])
		}
		return permissionDenied("permission denied")
	case *dialect.Truncate, *dialect.DropIndex, *dialect.Checkpoint:
		return permissionDenied("must be superuser to run this statement")
	default:
		return nil
	}
	switch n := st.AST.(type) {
	case *ast.CreateTableStmt, *ast.CreateViewStmt, *ast.CreateIndexStmt:
		return permissionDenied("permission denied for schema public")
	case *ast.DropTableStmt:
		if len(n.Tables) > 0 {
			return permissionDenied("must be owner of table %s", n.Tables[0].Name.O)
		}
		return permissionDenied("must be owner of table")
	case *ast.AlterTableStmt:
		return permissionDenied("must be owner of table %s", n.Table.Name.O)
	case *ast.DropIndexStmt, *ast.TruncateTableStmt, *ast.CreateDatabaseStmt, *ast.DropDatabaseStmt:
		return permissionDenied("must be superuser to run this statement")
	}
	return nil
}

// planNeeds lists the privileges a built plan needs: SELECT on every
// table a query reads, and the write privilege on a target table.
func (s *Session) planNeeds(ctx context.Context, st *dialect.Statement, p stmtPlan) ([]need, error) {
	if c, ok := st.Special.(*dialect.Copy); ok {
		return s.copyNeeds(ctx, c)
	}
	switch n := st.AST.(type) {
	case *ast.ExplainStmt:
		inner := *st
		inner.AST = n.Stmt
		ip, err := s.buildPlanLocal(ctx, &inner, nil)
		if err != nil {
			return nil, err
		}
		return s.planNeeds(ctx, &inner, ip)
	}
	switch x := p.(type) {
	case *queryPlan:
		return readNeeds(x.deps, nil), nil
	case *insertPlan:
		needs := []need{{x.def, storage.PrivInsert}}
		if oc := st.OnConflict; oc != nil && !oc.DoNothing {
			needs = append(needs, need{x.def, storage.PrivUpdate | storage.PrivSelect})
		}
		if st.Returning != nil {
			needs = append(needs, need{x.def, storage.PrivSelect})
		}
		return append(needs, readNeeds(x.deps, x.def)...), nil
	case *modifyPlan:
		priv := storage.PrivUpdate
		if x.delete {
			priv = storage.PrivDelete
		}
		needs := []need{{x.def, priv}}
		// Reading the target (WHERE, RETURNING, SET from its columns)
		// needs SELECT too, as in PostgreSQL; only a bare UPDATE/DELETE
		// of every row does not read it.
		if !bareModify(st.AST) || st.Returning != nil {
			needs = append(needs, need{x.def, storage.PrivSelect})
		}
		return append(needs, readNeeds(x.deps, x.def)...), nil
	}
	return nil, nil
}

// bareModify reports an UPDATE or DELETE without WHERE whose values are
// constants (it reads no column of the target).
func bareModify(n ast.StmtNode) bool {
	switch x := n.(type) {
	case *ast.DeleteStmt:
		return x.Where == nil
	case *ast.UpdateStmt:
		if x.Where != nil {
			return false
		}
		for _, a := range x.List {
			if _, ok := a.Expr.(ast.ValueExpr); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// readNeeds is SELECT on every dependency but skip.
func readNeeds(deps planDeps, skip *storage.TableDef) []need {
	var out []need
	for _, d := range deps.tables {
		if d != skip {
			out = append(out, need{d, storage.PrivSelect})
		}
	}
	return out
}

// copyNeeds: COPY FROM needs INSERT, COPY TO SELECT on the table or on
// every table its query reads.
func (s *Session) copyNeeds(ctx context.Context, c *dialect.Copy) ([]need, error) {
	if c.Query != nil {
		qp, err := s.buildPlanLocal(ctx, c.Query, nil)
		if err != nil {
			return nil, err
		}
		return s.planNeeds(ctx, c.Query, qp)
	}
	t, ok := lookupTable(s.db.Snapshot(), c.Table)
	if !ok {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", c.Table)
	}
	priv := storage.PrivSelect
	if c.From {
		priv = storage.PrivInsert
	}
	return []need{{t.Def(), priv}}, nil
}

// planRole plans the role statements and GRANT/REVOKE; only superusers
// reach it (but for ALTER ROLE of one's own password).
func (s *Session) planRole(stmt any) (stmtPlan, error) {
	switch x := stmt.(type) {
	case *dialect.CreateRole:
		return ddlPlan(func(ctx context.Context, s *Session) (Result, error) { return s.createRole(ctx, x) }), nil
	case *dialect.AlterRole:
		return ddlPlan(func(ctx context.Context, s *Session) (Result, error) { return s.alterRole(ctx, x) }), nil
	case *dialect.DropRole:
		return ddlPlan(func(ctx context.Context, s *Session) (Result, error) {
			for _, n := range x.Names {
				if n == s.user {
					return Result{}, sqlerr.New(codeObjectInUse, "current user cannot be dropped")
				}
			}
			return s.ddl(ctx, &storage.DropRole{Names: x.Names, IfExists: x.IfExists}, "DROP ROLE")
		}), nil
	case *dialect.Grant:
		return ddlPlan(func(ctx context.Context, s *Session) (Result, error) { return s.grant(ctx, x) }), nil
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "statement %T is not supported", stmt)
}

// secret hashes a password for storage; "" (and PASSWORD NULL) is none.
func (s *Session) secret(name string, o dialect.RoleOptions) (string, error) {
	if o.Password == nil || *o.Password == "" {
		return "", nil
	}
	return auth.HashPassword(name, *o.Password, s.db.opts.Security.MD5)
}

func (s *Session) createRole(ctx context.Context, x *dialect.CreateRole) (Result, error) {
	secret, err := s.secret(x.Name, x.Options)
	if err != nil {
		return Result{}, err
	}
	r := storage.Role{Name: x.Name, Secret: secret, Login: x.User}
	if x.Options.Login != nil {
		r.Login = *x.Options.Login
	}
	if x.Options.Superuser != nil {
		r.Superuser = *x.Options.Superuser
	}
	res, err := s.ddl(ctx, &storage.CreateRole{Role: r}, "CREATE ROLE")
	if err == nil && x.Options.Password != nil && *x.Options.Password == "" {
		res.Notices = append(res.Notices, "empty string is not a valid password, clearing password")
	}
	return res, err
}

func (s *Session) alterRole(ctx context.Context, x *dialect.AlterRole) (Result, error) {
	o := x.Options
	cmd := &storage.AlterRole{Name: x.Name}
	if o.Password != nil || o.PasswordNull {
		secret, err := s.secret(x.Name, o)
		if err != nil {
			return Result{}, err
		}
		cmd.SetSecret, cmd.Secret = true, secret
	}
	if o.Login != nil {
		cmd.SetLogin, cmd.Login = true, *o.Login
	}
	if o.Superuser != nil {
		cmd.SetSuperuser, cmd.Superuser = true, *o.Superuser
	}
	if _, ok := s.db.Snapshot().Role(x.Name); !ok && x.Name == s.db.opts.Security.Superuser && s.db.opts.Security.Enforce {
		// The configured superuser is not stored until first changed.
		r := storage.Role{Name: x.Name, Superuser: true, Login: true}
		if !cmd.SetSecret {
			return Result{}, sqlerr.New(sqlerr.FeatureNotSupported,
				"role \"%s\" is configured on the command line: set its password here first", x.Name)
		}
		r.Secret = cmd.Secret
		if cmd.SetLogin {
			r.Login = cmd.Login
		}
		if cmd.SetSuperuser {
			r.Superuser = cmd.Superuser
		}
		_, err := s.ddl(ctx, &storage.CreateRole{Role: r}, "ALTER ROLE")
		return Result{Tag: "ALTER ROLE"}, err
	}
	return s.ddl(ctx, cmd, "ALTER ROLE")
}

func (s *Session) grant(ctx context.Context, x *dialect.Grant) (Result, error) {
	var privs storage.Privileges
	for _, p := range x.Privileges {
		privs |= privilegeNames[p]
	}
	tag := "GRANT"
	if x.Revoke {
		tag = "REVOKE"
	}
	snap := s.db.Snapshot()
	for _, t := range x.Tables {
		if _, ok := lookupTable(snap, t); !ok {
			if _, isView := lookupView(snap, t); isView {
				return Result{}, sqlerr.New(sqlerr.FeatureNotSupported, "privileges on views are not supported: grant them on the view's tables")
			}
			return Result{}, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", t)
		}
	}
	return s.ddl(ctx, &storage.GrantPrivileges{Revoke: x.Revoke, Tables: x.Tables, Roles: x.Roles, Privileges: privs}, tag)
}

// redactedText is a statement's text for logs: the text of a role
// statement, which may hold a password, is replaced by its kind.
func redactedText(st *dialect.Statement) string {
	switch st.Special.(type) {
	case *dialect.CreateRole:
		return "CREATE ROLE (text redacted)"
	case *dialect.AlterRole:
		return "ALTER ROLE (text redacted)"
	}
	return st.Text
}

// IsSuperuser reports whether user is a superuser (always true when
// privileges are not enforced).
func (db *DB) IsSuperuser(user string) bool {
	s := &Session{db: db, user: user}
	return s.isSuperuser(db.Snapshot())
}
