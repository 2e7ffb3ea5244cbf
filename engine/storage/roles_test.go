package storage

import (
	"reflect"
	"testing"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// applyEncoded encodes cmd, decodes it and applies the copy, as a follower
// would.
func applyEncoded(t *testing.T, s *Store, cmd Command) Result {
	t.Helper()
	data, err := EncodeCommand(cmd)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeCommand(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, cmd) {
		t.Fatalf("round trip: %#v, want %#v", back, cmd)
	}
	return next(s, back)
}

func TestRoles(t *testing.T) {
	s := newUsers(t)
	steps := []struct {
		cmd  Command
		want sqlerr.Code
	}{
		{&CreateRole{Role: Role{Name: "alice", Secret: "md5abc", Login: true}}, ""},
		{&CreateRole{Role: Role{Name: "alice"}}, sqlerr.DuplicateObject},
		{&CreateRole{Role: Role{Name: "admin", Superuser: true, Login: true}}, ""},
		{&AlterRole{Name: "alice", SetSecret: true, Secret: "md5def"}, ""},
		{&AlterRole{Name: "nobody", SetLogin: true}, sqlerr.UndefinedObject},
		{&GrantPrivileges{Tables: []string{"users"}, Roles: []string{"alice"}, Privileges: PrivSelect | PrivInsert}, ""},
		{&GrantPrivileges{Revoke: true, Tables: []string{"users"}, Roles: []string{"alice"}, Privileges: PrivInsert}, ""},
		{&GrantPrivileges{Tables: []string{"nope"}, Roles: []string{"alice"}, Privileges: PrivSelect}, sqlerr.UndefinedTable},
		{&GrantPrivileges{Tables: []string{"users"}, Roles: []string{"ghost"}, Privileges: PrivSelect}, sqlerr.UndefinedObject},
		{&DropRole{Names: []string{"admin", "ghost"}}, sqlerr.UndefinedObject},
		{&DropRole{Names: []string{"admin", "ghost"}, IfExists: true}, ""},
	}
	for i, st := range steps {
		if got := code(applyEncoded(t, s, st.cmd).Err); got != st.want {
			t.Fatalf("step %d %T: %q, want %q", i, st.cmd, got, st.want)
		}
	}
	snap := s.Snapshot()
	alice, ok := snap.Role("alice")
	if !ok || alice.Secret != "md5def" || !alice.Login || alice.Superuser {
		t.Fatalf("alice = %+v", alice)
	}
	users, _ := snap.Table("users")
	if p := alice.TablePrivileges(users); p != PrivSelect {
		t.Errorf("alice's privileges on users = %b, want SELECT", p)
	}
	if _, ok := snap.Role("admin"); ok || len(snap.Roles()) != 1 {
		t.Errorf("roles after drop: %v", snap.Roles())
	}

	// A checkpoint keeps roles and grants.
	dir := t.TempDir()
	if err := s.WriteCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	la, ok := loaded.Snapshot().Role("alice")
	lu, _ := loaded.Snapshot().Table("users")
	if !ok || la.Secret != "md5def" || !la.Login || la.TablePrivileges(lu) != PrivSelect {
		t.Errorf("loaded alice = %+v", la)
	}

	// A table created again under the same name has no grants.
	must(t, s, &DropTable{Names: []string{"users"}})
	must(t, s, &CreateTable{Def: usersDef()})
	users, _ = s.Snapshot().Table("users")
	alice, _ = s.Snapshot().Role("alice")
	if p := alice.TablePrivileges(users); p != 0 {
		t.Errorf("privileges on a new table of the same name: %b", p)
	}
}
