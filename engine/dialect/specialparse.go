package dialect

import (
	"strings"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// cursor reads the tokens of a special statement.
type cursor struct {
	sp   *stmtParse
	toks []token
	i    int
}

func (c *cursor) done() bool { return c.i >= len(c.toks) }

// at reports whether the next token is the word w.
func (c *cursor) at(w string) bool { return c.i < len(c.toks) && c.toks[c.i].is(w) }

// accept consumes the words ws if they are next, in order.
func (c *cursor) accept(ws ...string) bool {
	for k, w := range ws {
		if c.i+k >= len(c.toks) || !c.toks[c.i+k].is(w) {
			return false
		}
	}
	c.i += len(ws)
	return true
}

// fail is a syntax error at the next token.
func (c *cursor) fail() error { return c.sp.syntaxAt(c.toks, c.i) }

// expect consumes the words ws or fails.
func (c *cursor) expect(ws ...string) error {
	for _, w := range ws {
		if !c.at(w) {
			return c.fail()
		}
		c.i++
	}
	return nil
}

// end fails unless every token has been read.
func (c *cursor) end() error {
	if !c.done() {
		return c.fail()
	}
	return nil
}

// name reads an identifier.
func (c *cursor) name() (string, error) {
	if c.done() || c.toks[c.i].name() == "" {
		return "", c.fail()
	}
	c.i++
	return c.toks[c.i-1].val, nil
}

// qualified reads a possibly schema-qualified name; a "public." prefix is
// dropped, other schemas are kept as "schema.name".
func (c *cursor) qualified() (string, error) {
	n, err := c.name()
	if err != nil {
		return "", err
	}
	for c.i+1 < len(c.toks) && c.toks[c.i].isPunct(".") && c.toks[c.i+1].name() != "" {
		n += "." + c.toks[c.i+1].val
		c.i += 2
	}
	return strings.TrimPrefix(n, "public."), nil
}

// punct consumes the punctuation p if it is next.
func (c *cursor) punct(p string) bool {
	if c.i < len(c.toks) && c.toks[c.i].isPunct(p) {
		c.i++
		return true
	}
	return false
}

// nameList reads name [, name ...].
func (c *cursor) nameList(qualified bool) ([]string, error) {
	var out []string
	for {
		var n string
		var err error
		if qualified {
			n, err = c.qualified()
		} else {
			n, err = c.name()
		}
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		if !c.punct(",") {
			return out, nil
		}
	}
}

// special recognises the statements handled without the TiDB parser and
// parses them into their structs. ok is false for any other statement.
func (sp *stmtParse) special(toks []token) (stmt any, ok bool, err error) {
	first := toks[0]
	if first.kind != tkIdent {
		return nil, false, nil
	}
	c := &cursor{sp: sp, toks: toks, i: 1}
	if stmt, ok, err := c.roleStatement(first.val); ok {
		return stmt, true, err
	}
	switch first.val {
	case "show":
		stmt, err = c.show()
	case "set":
		stmt, err = c.set()
	case "reset":
		stmt, err = c.reset()
	case "begin":
		c.accept("work")
		c.accept("transaction")
		stmt, err = c.begin()
	case "start":
		if err = c.expect("transaction"); err == nil {
			stmt, err = c.begin()
		}
	case "commit", "end":
		stmt, err = c.commit()
	case "rollback", "abort":
		stmt, err = c.rollback(first.val == "rollback")
	case "savepoint":
		var n string
		if n, err = c.name(); err == nil {
			stmt, err = &Savepoint{Name: n}, c.end()
		}
	case "release":
		c.accept("savepoint")
		var n string
		if n, err = c.name(); err == nil {
			stmt, err = &Release{Name: n}, c.end()
		}
	case "truncate":
		stmt, err = c.truncate()
	case "vacuum":
		stmt, err = c.vacuum()
	case "analyze", "analyse":
		var tables []string
		if tables, err = c.maintenanceTables(); err == nil {
			stmt = &Analyze{Tables: tables}
		}
	case "copy":
		stmt, err = c.copy()
	case "discard":
		stmt, err = c.discard()
	case "deallocate":
		stmt, err = c.deallocate()
	case "drop":
		if !c.at("index") {
			return nil, false, nil
		}
		c.i++
		stmt, err = c.dropIndex()
	case "checkpoint":
		stmt, err = &Checkpoint{}, c.end()
	default:
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	return stmt, true, nil
}

// show parses SHOW name | ALL | TRANSACTION ISOLATION LEVEL | TIME ZONE |
// SESSION AUTHORIZATION.
func (c *cursor) show() (*Show, error) {
	var name string
	switch {
	case c.accept("transaction", "isolation", "level"):
		name = "transaction_isolation"
	case c.accept("time", "zone"):
		name = "timezone"
	case c.accept("session", "authorization"):
		name = "session_authorization"
	default:
		var err error
		if name, err = c.settingName(); err != nil {
			return nil, err
		}
	}
	return &Show{Name: name}, c.end()
}

// settingName reads a configuration parameter name, possibly dotted
// (chronos.read_consistency), folded to lower case.
func (c *cursor) settingName() (string, error) {
	n, err := c.name()
	if err != nil {
		return "", err
	}
	for c.i+1 < len(c.toks) && c.toks[c.i].isPunct(".") && c.toks[c.i+1].name() != "" {
		n += "." + c.toks[c.i+1].val
		c.i += 2
	}
	return strings.ToLower(n), nil
}

// set parses the SET statement's forms.
func (c *cursor) set() (*Set, error) {
	s := &Set{}
	if c.accept("session", "characteristics", "as", "transaction") {
		m, err := c.transactionModes(true)
		if err != nil {
			return nil, err
		}
		s.Transaction, s.Session = m, true
		return s, c.end()
	}
	if c.accept("local") {
		s.Local = true
	} else {
		c.accept("session")
	}
	switch {
	case c.accept("transaction"):
		if c.at("snapshot") {
			return nil, c.sp.errAt(sqlerr.FeatureNotSupported, c.toks[c.i], "SET TRANSACTION SNAPSHOT is not supported")
		}
		m, err := c.transactionModes(true)
		if err != nil {
			return nil, err
		}
		s.Transaction = m
		return s, c.end()
	case c.accept("time", "zone"):
		s.Name = "timezone"
		switch {
		case c.accept("local"), c.accept("default"):
			s.Default = true
		case c.accept("interval"):
			if c.done() || c.toks[c.i].kind != tkString {
				return nil, c.fail()
			}
			s.Values = []string{c.toks[c.i].val}
			c.i++
			var tn typeName
			c.i = parseIntervalFields(c.toks, c.i, &tn)
		default:
			v, err := c.settingValue()
			if err != nil {
				return nil, err
			}
			s.Values = []string{v}
		}
		return s, c.end()
	case c.accept("names"):
		s.Name = "client_encoding"
		if c.done() {
			return nil, c.fail()
		}
		if c.accept("default") {
			s.Default = true
			return s, c.end()
		}
		v, err := c.settingValue()
		if err != nil {
			return nil, err
		}
		s.Values = []string{v}
		return s, c.end()
	case c.accept("schema"):
		s.Name = "search_path"
		v, err := c.settingValue()
		if err != nil {
			return nil, err
		}
		s.Values = []string{v}
		return s, c.end()
	case c.accept("session", "authorization"):
		s.Name = "session_authorization"
	case c.accept("role"):
		s.Name = "role"
	case c.at("constraints"):
		return nil, c.sp.errAt(sqlerr.FeatureNotSupported, c.toks[c.i], "SET CONSTRAINTS is not supported")
	default:
		n, err := c.settingName()
		if err != nil {
			return nil, err
		}
		s.Name = n
		if !c.accept("to") && !(c.i < len(c.toks) && c.toks[c.i].isOp("=") && c.next()) {
			return nil, c.fail()
		}
	}
	if c.accept("default") {
		s.Default = true
		return s, c.end()
	}
	for {
		v, err := c.settingValue()
		if err != nil {
			return nil, err
		}
		s.Values = append(s.Values, v)
		if !c.punct(",") {
			break
		}
	}
	return s, c.end()
}

// next consumes one token and reports true.
func (c *cursor) next() bool {
	c.i++
	return true
}

// settingValue reads one value of SET: a string, a signed number or a word.
func (c *cursor) settingValue() (string, error) {
	if c.done() {
		return "", c.fail()
	}
	t := c.toks[c.i]
	switch t.kind {
	case tkString, tkIdent, tkQIdent, tkNumber:
		c.i++
		return t.val, nil
	case tkOp:
		if (t.val == "-" || t.val == "+") && c.i+1 < len(c.toks) && c.toks[c.i+1].kind == tkNumber {
			c.i += 2
			if t.val == "-" {
				return "-" + c.toks[c.i-1].val, nil
			}
			return c.toks[c.i-1].val, nil
		}
	}
	return "", c.fail()
}

// reset parses RESET name | ALL | TIME ZONE | SESSION AUTHORIZATION.
func (c *cursor) reset() (*Reset, error) {
	var name string
	switch {
	case c.accept("time", "zone"):
		name = "timezone"
	case c.accept("session", "authorization"):
		name = "session_authorization"
	case c.accept("transaction", "isolation", "level"):
		name = "transaction_isolation"
	default:
		var err error
		if name, err = c.settingName(); err != nil {
			return nil, err
		}
	}
	return &Reset{Name: name}, c.end()
}

// begin parses the modes after BEGIN [WORK | TRANSACTION] or START
// TRANSACTION.
func (c *cursor) begin() (*Begin, error) {
	m, err := c.transactionModes(false)
	if err != nil {
		return nil, err
	}
	b := &Begin{}
	if m != nil {
		b.TransactionModes = *m
	}
	return b, c.end()
}

// transactionModes reads ISOLATION LEVEL x, READ ONLY | WRITE and [NOT]
// DEFERRABLE, separated by optional commas. With required, at least one
// mode must be given.
func (c *cursor) transactionModes(required bool) (*TransactionModes, error) {
	m := &TransactionModes{}
	n := 0
	for !c.done() {
		if n > 0 {
			c.punct(",")
		}
		switch {
		case c.accept("isolation", "level"):
			switch {
			case c.accept("serializable"):
				m.Isolation = "serializable"
			case c.accept("repeatable", "read"):
				m.Isolation = "repeatable read"
			case c.accept("read", "committed"):
				m.Isolation = "read committed"
			case c.accept("read", "uncommitted"):
				m.Isolation = "read uncommitted"
			default:
				return nil, c.fail()
			}
		case c.accept("read", "only"):
			t := true
			m.ReadOnly = &t
		case c.accept("read", "write"):
			f := false
			m.ReadOnly = &f
		case c.accept("deferrable"):
			t := true
			m.Deferrable = &t
		case c.accept("not", "deferrable"):
			f := false
			m.Deferrable = &f
		default:
			return nil, c.fail()
		}
		n++
	}
	if n == 0 {
		if required {
			return nil, c.fail()
		}
		return nil, nil
	}
	return m, nil
}

// commit parses COMMIT | END [WORK | TRANSACTION] [AND NO CHAIN].
func (c *cursor) commit() (*Commit, error) {
	if !c.accept("work") {
		c.accept("transaction")
	}
	if err := c.chain(); err != nil {
		return nil, err
	}
	return &Commit{}, c.end()
}

// chain accepts AND NO CHAIN and refuses AND CHAIN.
func (c *cursor) chain() error {
	if c.accept("and", "no", "chain") {
		return nil
	}
	if c.at("and") {
		return c.sp.errAt(sqlerr.FeatureNotSupported, c.toks[c.i], "AND CHAIN is not supported")
	}
	return nil
}

// rollback parses ROLLBACK | ABORT [WORK | TRANSACTION] and ROLLBACK [WORK |
// TRANSACTION] TO [SAVEPOINT] name.
func (c *cursor) rollback(canTo bool) (any, error) {
	if !c.accept("work") {
		c.accept("transaction")
	}
	if canTo && c.accept("to") {
		c.accept("savepoint")
		n, err := c.name()
		if err != nil {
			return nil, err
		}
		return &RollbackTo{Name: n}, c.end()
	}
	if c.at("prepared") {
		return nil, c.sp.errAt(sqlerr.FeatureNotSupported, c.toks[c.i], "prepared transactions are not supported")
	}
	if err := c.chain(); err != nil {
		return nil, err
	}
	return &Rollback{}, c.end()
}

// truncate parses TRUNCATE [TABLE] [ONLY] name [*] [, ...] [RESTART |
// CONTINUE IDENTITY] [CASCADE | RESTRICT].
func (c *cursor) truncate() (*Truncate, error) {
	t := &Truncate{}
	c.accept("table")
	for {
		c.accept("only")
		n, err := c.qualified()
		if err != nil {
			return nil, err
		}
		if c.i < len(c.toks) && c.toks[c.i].isOp("*") {
			c.i++
		}
		t.Tables = append(t.Tables, n)
		if !c.punct(",") {
			break
		}
	}
	switch {
	case c.accept("restart", "identity"):
		t.RestartIdentity = true
	case c.accept("continue", "identity"):
	}
	switch {
	case c.accept("cascade"):
		t.Cascade = true
	case c.accept("restrict"):
	}
	return t, c.end()
}

// vacuum parses VACUUM [(options)] [FULL] [FREEZE] [VERBOSE] [ANALYZE]
// [table [(columns)] [, ...]].
func (c *cursor) vacuum() (*Vacuum, error) {
	for c.accept("full") || c.accept("freeze") || c.accept("verbose") || c.accept("analyze") || c.accept("analyse") {
	}
	tables, err := c.maintenanceTables()
	if err != nil {
		return nil, err
	}
	return &Vacuum{Tables: tables}, nil
}

// maintenanceTables reads the optional (options) and table list of VACUUM
// and ANALYZE.
func (c *cursor) maintenanceTables() ([]string, error) {
	if c.i < len(c.toks) && c.toks[c.i].isPunct("(") {
		e := matchClose(c.toks, c.i)
		if e < 0 {
			return nil, c.sp.endError(c.toks, "")
		}
		c.i = e + 1
	}
	c.accept("verbose")
	if c.done() {
		return nil, nil
	}
	var tables []string
	for {
		n, err := c.qualified()
		if err != nil {
			return nil, err
		}
		tables = append(tables, n)
		if c.i < len(c.toks) && c.toks[c.i].isPunct("(") {
			e := matchClose(c.toks, c.i)
			if e < 0 {
				return nil, c.sp.endError(c.toks, "")
			}
			c.i = e + 1
		}
		if !c.punct(",") {
			break
		}
	}
	return tables, c.end()
}

// discard parses DISCARD ALL | PLANS | SEQUENCES | TEMP | TEMPORARY.
func (c *cursor) discard() (*Discard, error) {
	switch {
	case c.accept("all"):
		return &Discard{What: "all"}, c.end()
	case c.accept("plans"):
		return &Discard{What: "plans"}, c.end()
	case c.accept("sequences"):
		return &Discard{What: "sequences"}, c.end()
	case c.accept("temp"), c.accept("temporary"):
		return &Discard{What: "temp"}, c.end()
	}
	return nil, c.fail()
}

// deallocate parses DEALLOCATE [PREPARE] name | ALL.
func (c *cursor) deallocate() (*Deallocate, error) {
	c.accept("prepare")
	if c.accept("all") {
		return &Deallocate{All: true}, c.end()
	}
	n, err := c.name()
	if err != nil {
		return nil, err
	}
	return &Deallocate{Name: n}, c.end()
}

// dropIndex parses the rest of DROP INDEX [CONCURRENTLY] [IF EXISTS] name
// [, ...] [CASCADE | RESTRICT].
func (c *cursor) dropIndex() (*DropIndex, error) {
	d := &DropIndex{}
	c.accept("concurrently")
	if c.accept("if", "exists") {
		d.IfExists = true
	}
	names, err := c.nameList(true)
	if err != nil {
		return nil, err
	}
	d.Names = names
	switch {
	case c.accept("cascade"):
		d.Cascade = true
	case c.accept("restrict"):
	}
	return d, c.end()
}
