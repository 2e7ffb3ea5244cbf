package pgcatalog

import (
	"fmt"
	"strings"
	"sync"
	"weak"

	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
)

// relation is one pg_class entry: a table, view, index or catalog table.
type relation struct {
	oid       uint32
	name      string
	namespace uint32
	kind      string // 'r' table, 'v' view, 'i' index, 'S' sequence
	// column is the serial column a sequence belongs to (its position).
	column int
	attrs  []attr
	def    *storage.TableDef // tables, and the table of an index or sequence
	index  *storage.Index    // indexes
	view   *storage.ViewDef
}

// attr is one pg_attribute entry.
type attr struct {
	name    string
	typ     types.T
	notNull bool
	// def is the DEFAULT expression's SQL text, "" when none.
	def string
}

// relationCache remembers the relations of recent snapshots: a catalog
// query evaluates functions such as pg_get_indexdef or ::regclass once per
// row, and each needs the list. Snapshots are immutable, so an entry
// stays valid as long as its snapshot is used. Entries hold table
// definitions only (row data is read from the snapshot at hand).
var relationCache struct {
	sync.Mutex
	entries []relationEntry // most recent last
}

type relationEntry struct {
	// snap is weak: the cache keeps no snapshot, so no old row versions,
	// alive.
	snap  weak.Pointer[storage.Snapshot]
	rels  []relation
	byOID map[int64]int
}

// relationCacheSize bounds relationCache.
const relationCacheSize = 8

// relations lists every relation: the snapshot's tables, their sequences,
// indexes and views, then the catalog tables.
func (g *gen) relations() []relation {
	return g.relationEntry().rels
}

// relationEntry returns the cached relations of g's snapshot, computing
// them on a miss.
func (g *gen) relationEntry() relationEntry {
	relationCache.Lock()
	key := weak.Make(g.snap)
	for _, e := range relationCache.entries {
		if e.snap == key {
			relationCache.Unlock()
			return e
		}
	}
	relationCache.Unlock()
	e := relationEntry{snap: key, rels: g.buildRelations(), byOID: map[int64]int{}}
	for i, r := range e.rels {
		e.byOID[int64(r.oid)] = i
	}
	relationCache.Lock()
	if len(relationCache.entries) >= relationCacheSize {
		relationCache.entries = relationCache.entries[1:]
	}
	relationCache.entries = append(relationCache.entries, e)
	relationCache.Unlock()
	return e
}

// buildRelations computes the relations of g's snapshot.
func (g *gen) buildRelations() []relation {
	var out []relation
	for _, t := range g.snap.Tables() {
		def := t.Def()
		r := relation{oid: def.OID, name: def.Name, namespace: oidPublic, kind: "r", def: def}
		for _, c := range def.Columns {
			r.attrs = append(r.attrs, attr{name: c.Name, typ: c.Type, notNull: c.NotNull, def: columnDefault(def, c)})
		}
		out = append(out, r)
		for i, c := range def.Columns {
			if c.Serial {
				out = append(out, relation{oid: sequenceOID(def.OID, i), name: SequenceName(def.Name, c.Name),
					namespace: oidPublic, kind: "S", def: def, column: i, attrs: sequenceAttrs})
			}
		}
		for i := range def.Indexes {
			ix := &def.Indexes[i]
			ir := relation{oid: ix.OID, name: ix.Name, namespace: oidPublic, kind: "i", def: def, index: ix}
			for _, c := range ix.Columns {
				ir.attrs = append(ir.attrs, attr{name: def.Columns[c].Name, typ: def.Columns[c].Type})
			}
			out = append(out, ir)
		}
	}
	for _, v := range g.snap.Views() {
		r := relation{oid: v.OID, name: v.Name, namespace: oidPublic, kind: "v", view: v}
		var typs []types.T
		if g.info.ViewTypes != nil {
			typs, _ = g.info.ViewTypes(v)
		}
		for i, c := range v.Columns {
			t := types.Text
			if i < len(typs) {
				t = typs[i]
			}
			r.attrs = append(r.attrs, attr{name: c, typ: t})
		}
		out = append(out, r)
	}
	for _, ct := range catalogTables {
		ns, kind := oidCatalog, "r"
		if ct.schema == SchemaInfo {
			ns, kind = oidInfo, "v"
		} else if catalogViews[ct.name] {
			kind = "v"
		}
		r := relation{oid: ct.oid, name: ct.name, namespace: ns, kind: kind}
		for _, c := range tableColumns[[2]string{ct.schema, ct.name}] {
			r.attrs = append(r.attrs, attr{name: c.Name, typ: c.Type})
		}
		out = append(out, r)
	}
	return out
}

// sequenceOID is the OID of a serial column's sequence. Storage assigns
// no OIDs to sequences, so they take numbers far above those it assigns,
// derived from the table's OID and the column's position (PostgreSQL
// allows at most 1600 columns).
func sequenceOID(table uint32, column int) uint32 {
	return 1<<30 + (table-storage.FirstOID)*1600 + uint32(column)
}

// sequenceAttrs are the columns of a sequence relation.
var sequenceAttrs = []attr{
	{name: "last_value", typ: types.Int8, notNull: true},
	{name: "log_cnt", typ: types.Int8, notNull: true},
	{name: "is_called", typ: types.Bool, notNull: true},
}

// columnDefault returns a column's DEFAULT as PostgreSQL shows it: the
// expression's text, or nextval of the column's sequence for a serial.
func columnDefault(def *storage.TableDef, c storage.Column) string {
	if c.Serial {
		return fmt.Sprintf("nextval('%s'::regclass)", SequenceName(def.Name, c.Name))
	}
	return deparseDefault(c.Default, c.Type)
}

// deparseDefault shows a DEFAULT the way PostgreSQL prints the stored
// expression: a string literal carries a cast to the column's type
// ('x'::text), other expressions are shown as written.
func deparseDefault(d string, t types.T) string {
	if !isStringLiteral(d) {
		return d
	}
	switch t.OID {
	case types.OIDText, types.OIDVarchar, types.OIDBPChar, types.OIDName, types.OIDDate,
		types.OIDTimestamp, types.OIDTimestamptz, types.OIDBytea:
		name := t.Base().String()
		if t.OID == types.OIDBPChar {
			name = "bpchar"
		}
		return d + "::" + name
	}
	return d
}

// SequenceName is the name PostgreSQL gives a serial column's sequence.
func SequenceName(table, column string) string {
	return table + "_" + column + "_seq"
}

// relationByOID finds a relation by OID.
func (g *gen) relationByOID(oid int64) (relation, bool) {
	e := g.relationEntry()
	if i, ok := e.byOID[oid]; ok {
		return e.rels[i], true
	}
	return relation{}, false
}

// namespaceName returns the name of a schema OID.
func namespaceName(oid uint32) string {
	switch oid {
	case oidCatalog:
		return SchemaCatalog
	case oidInfo:
		return SchemaInfo
	case oidToast:
		return SchemaToast
	}
	return SchemaPublic
}

// indexDef is pg_get_indexdef's text for an index.
func indexDef(r relation) string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if r.index.Unique {
		b.WriteString("UNIQUE ")
	}
	fmt.Fprintf(&b, "INDEX %s ON %s.%s USING btree (", quoteIdent(r.name), SchemaPublic, quoteIdent(r.def.Name))
	for i, a := range r.attrs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(a.name))
	}
	b.WriteString(")")
	return b.String()
}

// constraintDef is pg_get_constraintdef's text for the constraint an
// index backs.
func constraintDef(r relation) string {
	kw := "UNIQUE"
	if r.index.Primary {
		kw = "PRIMARY KEY"
	}
	names := make([]string, len(r.attrs))
	for i, a := range r.attrs {
		names[i] = quoteIdent(a.name)
	}
	return kw + " (" + strings.Join(names, ", ") + ")"
}

// quoteIdent quotes an identifier when PostgreSQL's output would.
func quoteIdent(s string) string {
	plain := s != ""
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c == '_' || i > 0 && (c >= '0' && c <= '9' || c == '$')) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// relationSize estimates a relation's size in bytes as whole 8 kB pages of
// its rows' text: Chronos keeps rows in memory, so there is no file size.
func (g *gen) relationSize(r relation) int64 {
	if r.def == nil || r.kind != "r" {
		return 0
	}
	t, ok := g.snap.Table(r.def.Name)
	if !ok {
		return 0
	}
	var n int64
	def := r.def
	t.Scan(func(row *storage.Row) bool {
		n += 24
		for i, v := range row.Values() {
			if v != nil && i < len(def.Columns) {
				n += int64(len(types.FormatText(v, def.Columns[i].Type)))
			}
		}
		return true
	})
	const page = 8192
	return (n + page - 1) / page * page
}

// isStringLiteral reports whether s is exactly one quoted SQL string
// literal (” inside standing for a quote).
func isStringLiteral(s string) bool {
	if len(s) < 2 || s[0] != '\'' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			i++
			continue
		}
		return i == len(s)-1
	}
	return false
}
