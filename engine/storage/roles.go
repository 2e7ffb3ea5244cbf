package storage

import (
	"maps"
	"slices"
	"strings"

	"github.com/chronos-db/chronos/engine/sqlerr"
	pb "github.com/chronos-db/chronos/proto/commandpb"
)

// Roles and table privileges (issue 8). Roles live in the snapshot as an
// immutable RoleCatalog that every role command replaces whole (roles are
// few), are replicated through the log like tables, and are kept in the
// checkpoint's catalog.json. Privileges are recorded per table OID, so a
// table dropped and created again starts with none.

// Privileges is a set of table privileges.
type Privileges uint32

// The table privileges.
const (
	PrivSelect Privileges = 1 << iota
	PrivInsert
	PrivUpdate
	PrivDelete

	// PrivAll is ALL PRIVILEGES.
	PrivAll = PrivSelect | PrivInsert | PrivUpdate | PrivDelete
)

// Role is a role: a user when it may log in.
type Role struct {
	Name string
	// Secret is a SCRAM-SHA-256 verifier or an md5 hash; empty for none.
	Secret    string
	Superuser bool
	Login     bool
	// Grants maps table OIDs to the privileges the role holds on them.
	Grants map[uint32]Privileges
}

// RoleCatalog holds the roles of a snapshot; immutable.
type RoleCatalog struct {
	roles map[string]*Role
}

// Role returns the named role.
func (s *Snapshot) Role(name string) (*Role, bool) {
	if s.roles == nil {
		return nil, false
	}
	r, ok := s.roles.roles[name]
	return r, ok
}

// Roles returns the roles sorted by name.
func (s *Snapshot) Roles() []*Role {
	if s.roles == nil {
		return nil
	}
	out := make([]*Role, 0, len(s.roles.roles))
	for _, name := range slices.Sorted(maps.Keys(s.roles.roles)) {
		out = append(out, s.roles.roles[name])
	}
	return out
}

// CreateRole creates a role; a role of that name fails with 42710.
type CreateRole struct {
	Role Role
}

// AlterRole changes a role's attributes: those whose Set flag is true.
type AlterRole struct {
	Name         string
	SetSecret    bool
	Secret       string
	SetSuperuser bool
	Superuser    bool
	SetLogin     bool
	Login        bool
}

// DropRole drops roles; a missing one fails with 42704 unless IfExists.
type DropRole struct {
	Names    []string
	IfExists bool
}

// GrantPrivileges grants (Revoke: revokes) Privileges on Tables to Roles.
// Every table and role must exist (42P01, 42704).
type GrantPrivileges struct {
	Revoke     bool
	Tables     []string
	Roles      []string
	Privileges Privileges
}

func (*CreateRole) command()      {}
func (*AlterRole) command()       {}
func (*DropRole) command()        {}
func (*GrantPrivileges) command() {}

// roleCommand is implemented by the role commands, which tx.apply and the
// encoding hand to this file.
type roleCommand interface {
	Command
	applyRoles(tx *tx, roles map[string]*Role) error
	toProto() *pb.Command
}

// applyRole applies a role command to a copy of the role catalog.
func (tx *tx) applyRole(c roleCommand) Result {
	s := tx.writable()
	roles := map[string]*Role{}
	if s.roles != nil {
		roles = maps.Clone(s.roles.roles)
	}
	if err := c.applyRoles(tx, roles); err != nil {
		return errResult(err)
	}
	s.roles = &RoleCatalog{roles: roles}
	return Result{}
}

func (c *CreateRole) applyRoles(tx *tx, roles map[string]*Role) error {
	if c.Role.Name == "" {
		return sqlerr.New(sqlerr.InvalidParameterValue, "role name must not be empty")
	}
	if _, ok := roles[c.Role.Name]; ok {
		return sqlerr.New(sqlerr.DuplicateObject, "role \"%s\" already exists", c.Role.Name)
	}
	r := c.Role
	r.Grants = nil
	roles[r.Name] = &r
	return nil
}

func (c *AlterRole) applyRoles(tx *tx, roles map[string]*Role) error {
	old, ok := roles[c.Name]
	if !ok {
		return sqlerr.New(sqlerr.UndefinedObject, "role \"%s\" does not exist", c.Name)
	}
	r := *old
	if c.SetSecret {
		r.Secret = c.Secret
	}
	if c.SetSuperuser {
		r.Superuser = c.Superuser
	}
	if c.SetLogin {
		r.Login = c.Login
	}
	roles[c.Name] = &r
	return nil
}

func (c *DropRole) applyRoles(tx *tx, roles map[string]*Role) error {
	for _, name := range c.Names {
		if _, ok := roles[name]; !ok {
			if c.IfExists {
				continue
			}
			return sqlerr.New(sqlerr.UndefinedObject, "role \"%s\" does not exist", name)
		}
		delete(roles, name)
	}
	return nil
}

func (c *GrantPrivileges) applyRoles(tx *tx, roles map[string]*Role) error {
	var oids []uint32
	for _, name := range c.Tables {
		t, ok := tx.snap().tables[name]
		if !ok {
			return sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", name)
		}
		oids = append(oids, t.def.OID)
	}
	for _, name := range c.Roles {
		old, ok := roles[name]
		if !ok {
			return sqlerr.New(sqlerr.UndefinedObject, "role \"%s\" does not exist", name)
		}
		r := *old
		r.Grants = maps.Clone(old.Grants)
		if r.Grants == nil {
			r.Grants = map[uint32]Privileges{}
		}
		for _, oid := range oids {
			p := r.Grants[oid]
			if c.Revoke {
				p &^= c.Privileges
			} else {
				p |= c.Privileges
			}
			if p == 0 {
				delete(r.Grants, oid)
			} else {
				r.Grants[oid] = p
			}
		}
		roles[name] = &r
	}
	return nil
}

// Encoding.

func roleToProto(r *Role) *pb.Role {
	return &pb.Role{Name: r.Name, Secret: r.Secret, Superuser: r.Superuser, Login: r.Login}
}

func roleFromProto(m *pb.Role) Role {
	return Role{Name: m.GetName(), Secret: m.GetSecret(), Superuser: m.GetSuperuser(), Login: m.GetLogin()}
}

func (c *CreateRole) toProto() *pb.Command {
	return &pb.Command{Command: &pb.Command_CreateRole{CreateRole: &pb.CreateRole{Role: roleToProto(&c.Role)}}}
}

func (c *AlterRole) toProto() *pb.Command {
	return &pb.Command{Command: &pb.Command_AlterRole{AlterRole: &pb.AlterRole{
		Name: c.Name, SetSecret: c.SetSecret, Secret: c.Secret, SetSuperuser: c.SetSuperuser,
		Superuser: c.Superuser, SetLogin: c.SetLogin, Login: c.Login}}}
}

func (c *DropRole) toProto() *pb.Command {
	return &pb.Command{Command: &pb.Command_DropRole{DropRole: &pb.DropRole{Names: c.Names, IfExists: c.IfExists}}}
}

func (c *GrantPrivileges) toProto() *pb.Command {
	return &pb.Command{Command: &pb.Command_GrantPrivileges{GrantPrivileges: &pb.GrantPrivileges{
		Revoke: c.Revoke, Tables: c.Tables, Roles: c.Roles, Privileges: uint32(c.Privileges)}}}
}

// roleCommandFromProto decodes a role command, or returns nil when m holds
// another kind of command.
func roleCommandFromProto(m *pb.Command) Command {
	switch c := m.GetCommand().(type) {
	case *pb.Command_CreateRole:
		return &CreateRole{Role: roleFromProto(c.CreateRole.GetRole())}
	case *pb.Command_AlterRole:
		a := c.AlterRole
		return &AlterRole{Name: a.GetName(), SetSecret: a.GetSetSecret(), Secret: a.GetSecret(),
			SetSuperuser: a.GetSetSuperuser(), Superuser: a.GetSuperuser(), SetLogin: a.GetSetLogin(), Login: a.GetLogin()}
	case *pb.Command_DropRole:
		return &DropRole{Names: c.DropRole.GetNames(), IfExists: c.DropRole.GetIfExists()}
	case *pb.Command_GrantPrivileges:
		g := c.GrantPrivileges
		return &GrantPrivileges{Revoke: g.GetRevoke(), Tables: g.GetTables(), Roles: g.GetRoles(),
			Privileges: Privileges(g.GetPrivileges())}
	}
	return nil
}

// Checkpoint.

// roleJSON is a role in catalog.json. Grants are by table name (OIDs are
// kept by the checkpoint, but names read better and survive a hand edit).
type roleJSON struct {
	Name      string            `json:"name"`
	Secret    string            `json:"secret,omitempty"`
	Superuser bool              `json:"superuser,omitempty"`
	Login     bool              `json:"login,omitempty"`
	Grants    map[string]uint32 `json:"grants,omitempty"`
}

// rolesToJSON lists the snapshot's roles for catalog.json; grants on
// tables that no longer exist are left out.
func (s *Snapshot) rolesToJSON() []roleJSON {
	byOID := map[uint32]string{}
	for name, t := range s.tables {
		byOID[t.def.OID] = name
	}
	var out []roleJSON
	for _, r := range s.Roles() {
		j := roleJSON{Name: r.Name, Secret: r.Secret, Superuser: r.Superuser, Login: r.Login}
		for oid, p := range r.Grants {
			if name, ok := byOID[oid]; ok {
				if j.Grants == nil {
					j.Grants = map[string]uint32{}
				}
				j.Grants[name] = uint32(p)
			}
		}
		out = append(out, j)
	}
	return out
}

// loadRoles installs the roles of catalog.json in a snapshot whose tables
// are loaded.
func (s *Snapshot) loadRoles(list []roleJSON) {
	if len(list) == 0 {
		return
	}
	roles := map[string]*Role{}
	for _, j := range list {
		r := &Role{Name: j.Name, Secret: j.Secret, Superuser: j.Superuser, Login: j.Login}
		for name, p := range j.Grants {
			if t, ok := s.tables[strings.TrimSpace(name)]; ok {
				if r.Grants == nil {
					r.Grants = map[uint32]Privileges{}
				}
				r.Grants[t.def.OID] = Privileges(p)
			}
		}
		roles[r.Name] = r
	}
	s.roles = &RoleCatalog{roles: roles}
}

// TablePrivileges returns the privileges role holds on table t.
func (r *Role) TablePrivileges(t *Table) Privileges {
	if r == nil || t == nil {
		return 0
	}
	return r.Grants[t.def.OID]
}
