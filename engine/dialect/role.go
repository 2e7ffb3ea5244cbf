package dialect

import (
	"github.com/chronos-db/chronos/engine/sqlerr"
)

// Role statements (issue 8), parsed here because the TiDB parser knows only
// MySQL's CREATE USER ... IDENTIFIED BY syntax.

// RoleOptions are the options of CREATE ROLE and ALTER ROLE; nil fields
// were not given.
type RoleOptions struct {
	// Password is PASSWORD 'text' (or ENCRYPTED PASSWORD); PasswordNull is
	// PASSWORD NULL.
	Password     *string
	PasswordNull bool
	Login        *bool
	Superuser    *bool
}

// CreateRole is CREATE ROLE | USER name [[WITH] option ...]. User is set for
// CREATE USER, which implies LOGIN.
type CreateRole struct {
	Name    string
	User    bool
	Options RoleOptions
}

// AlterRole is ALTER ROLE | USER name [WITH] option ...
type AlterRole struct {
	Name    string
	Options RoleOptions
}

// DropRole is DROP ROLE | USER [IF EXISTS] name [, ...].
type DropRole struct {
	Names    []string
	IfExists bool
}

// Grant is GRANT privileges ON [TABLE] table [, ...] TO role [, ...] and,
// with Revoke, REVOKE privileges ON ... FROM role [, ...]. Privileges
// holds "select", "insert", "update", "delete"; ALL [PRIVILEGES] gives all
// four.
type Grant struct {
	Revoke     bool
	Privileges []string
	Tables     []string
	Roles      []string
}

// roleStatement parses the role statements; ok is false for any other
// statement.
func (c *cursor) roleStatement(first string) (stmt any, ok bool, err error) {
	switch first {
	case "create", "alter":
		if !c.at("role") && !c.at("user") {
			return nil, false, nil
		}
		user := c.at("user")
		c.i++
		name, err := c.name()
		if err != nil {
			return nil, true, err
		}
		c.accept("with")
		opts, err := c.roleOptions()
		if err != nil {
			return nil, true, err
		}
		if first == "create" {
			return &CreateRole{Name: name, User: user, Options: opts}, true, nil
		}
		return &AlterRole{Name: name, Options: opts}, true, nil
	case "drop":
		if !c.at("role") && !c.at("user") {
			return nil, false, nil
		}
		c.i++
		d := &DropRole{IfExists: c.accept("if", "exists")}
		if d.Names, err = c.nameList(false); err != nil {
			return nil, true, err
		}
		return d, true, c.end()
	case "grant", "revoke":
		g, err := c.grant(first == "revoke")
		return g, true, err
	}
	return nil, false, nil
}

// roleOptions reads the options of CREATE/ALTER ROLE up to the end.
func (c *cursor) roleOptions() (RoleOptions, error) {
	var o RoleOptions
	yes, no := true, false
	for !c.done() {
		switch {
		case c.accept("login"):
			o.Login = &yes
		case c.accept("nologin"):
			o.Login = &no
		case c.accept("superuser"):
			o.Superuser = &yes
		case c.accept("nosuperuser"):
			o.Superuser = &no
		case c.accept("inherit"), c.accept("noinherit"):
			// Every role inherits; there is no membership yet.
		case c.at("password") || c.at("encrypted"):
			c.accept("encrypted")
			if err := c.expect("password"); err != nil {
				return o, err
			}
			if c.accept("null") {
				o.PasswordNull, o.Password = true, nil
				continue
			}
			if c.done() || c.toks[c.i].kind != tkString {
				return o, c.fail()
			}
			p := c.toks[c.i].val
			o.Password, o.PasswordNull = &p, false
			c.i++
		default:
			if !c.done() && c.toks[c.i].kind == tkIdent {
				return o, sqlerr.New(sqlerr.FeatureNotSupported, "role option \"%s\" is not supported", c.toks[c.i].val)
			}
			return o, c.fail()
		}
	}
	return o, nil
}

// grant reads the rest of GRANT or REVOKE.
func (c *cursor) grant(revoke bool) (*Grant, error) {
	g := &Grant{Revoke: revoke}
	if c.accept("all") {
		c.accept("privileges")
		g.Privileges = []string{"select", "insert", "update", "delete"}
	} else {
		for {
			switch {
			case c.at("select"), c.at("insert"), c.at("update"), c.at("delete"):
				g.Privileges = append(g.Privileges, c.toks[c.i].val)
				c.i++
			case !c.done() && c.toks[c.i].kind == tkIdent && !c.at("on"):
				return nil, sqlerr.New(sqlerr.FeatureNotSupported,
					"privilege \"%s\" is not supported: only SELECT, INSERT, UPDATE and DELETE on tables", c.toks[c.i].val)
			default:
				return nil, c.fail()
			}
			if !c.punct(",") {
				break
			}
		}
	}
	if !c.at("on") {
		// GRANT role TO role: membership.
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "role membership (GRANT role TO role) is not supported")
	}
	c.i++
	c.accept("table")
	var err error
	if g.Tables, err = c.nameList(true); err != nil {
		return nil, err
	}
	to := "to"
	if revoke {
		to = "from"
	}
	if err := c.expect(to); err != nil {
		return nil, err
	}
	for {
		c.accept("group")
		n, err := c.name()
		if err != nil {
			return nil, err
		}
		g.Roles = append(g.Roles, n)
		if !c.punct(",") {
			break
		}
	}
	return g, c.end()
}
