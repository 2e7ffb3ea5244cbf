package dialect

import (
	"reflect"
	"testing"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

func TestRoleStatements(t *testing.T) {
	pw := func(s string) *string { return &s }
	yes, no := true, false
	tests := []struct {
		sql  string
		want any
	}{
		{"CREATE USER alice WITH LOGIN PASSWORD 'se''cret'", &CreateRole{Name: "alice", User: true,
			Options: RoleOptions{Login: &yes, Password: pw("se'cret")}}},
		{"create role Admin superuser login encrypted password 'x'", &CreateRole{Name: "admin",
			Options: RoleOptions{Superuser: &yes, Login: &yes, Password: pw("x")}}},
		{`create role "Bob"`, &CreateRole{Name: "Bob"}},
		{"ALTER ROLE alice PASSWORD NULL NOLOGIN", &AlterRole{Name: "alice",
			Options: RoleOptions{PasswordNull: true, Login: &no}}},
		{"alter user alice with password 'n' nosuperuser", &AlterRole{Name: "alice",
			Options: RoleOptions{Password: pw("n"), Superuser: &no}}},
		{"DROP ROLE IF EXISTS a, b", &DropRole{Names: []string{"a", "b"}, IfExists: true}},
		{"drop user a", &DropRole{Names: []string{"a"}}},
		{"GRANT SELECT, INSERT ON TABLE t, public.u TO alice, bob", &Grant{
			Privileges: []string{"select", "insert"}, Tables: []string{"t", "u"}, Roles: []string{"alice", "bob"}}},
		{"grant all privileges on t to alice", &Grant{
			Privileges: []string{"select", "insert", "update", "delete"}, Tables: []string{"t"}, Roles: []string{"alice"}}},
		{"REVOKE delete ON t FROM alice", &Grant{Revoke: true,
			Privileges: []string{"delete"}, Tables: []string{"t"}, Roles: []string{"alice"}}},
	}
	for _, tt := range tests {
		stmts, err := Parse(tt.sql)
		if err != nil {
			t.Errorf("%s: %v", tt.sql, err)
			continue
		}
		if len(stmts) != 1 || !reflect.DeepEqual(stmts[0].Special, tt.want) {
			t.Errorf("%s: got %#v, want %#v", tt.sql, stmts[0].Special, tt.want)
		}
	}
}

func TestRoleStatementErrors(t *testing.T) {
	tests := []struct {
		sql  string
		want sqlerr.Code
	}{
		{"create role", sqlerr.SyntaxError},
		{"create user alice password", sqlerr.SyntaxError},
		{"create user alice password 42", sqlerr.SyntaxError},
		{"create role alice createdb", sqlerr.FeatureNotSupported},
		{"grant select on t", sqlerr.SyntaxError},
		{"grant truncate on t to a", sqlerr.FeatureNotSupported},
		{"grant admin to alice", sqlerr.FeatureNotSupported},
		{"revoke select on t to alice", sqlerr.SyntaxError},
		{"drop role", sqlerr.SyntaxError},
	}
	for _, tt := range tests {
		_, err := Parse(tt.sql)
		if e := sqlerr.As(err); e == nil || e.Code != tt.want {
			t.Errorf("%s: %v, want %s", tt.sql, err, tt.want)
		}
	}
	// Other CREATE and DROP statements still reach TiDB.
	for _, sql := range []string{"create table t (a int)", "drop table t", "drop index i"} {
		if _, err := Parse(sql); err != nil {
			t.Errorf("%s: %v", sql, err)
		}
	}
}
