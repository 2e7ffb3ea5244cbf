// Package pgcatalog generates PostgreSQL's system catalogs (pg_catalog) and
// the information_schema views from Chronos's own catalog, a
// storage.Snapshot, so that psql's describe commands, drivers and tools
// that read the catalogs work unchanged.
//
// The tables are virtual: Lookup gives a table's columns (PostgreSQL 15's
// columns, in its order) and Rows computes its rows from a snapshot each
// time a query reads it; the engine plans and executes queries on them
// like on any derived table. Types Chronos does not have (arrays,
// pg_node_tree, aclitem, int2vector) are text columns: NULL where
// PostgreSQL would hold an empty or absent value, and PostgreSQL's text
// form where a value exists (indkey "1 2", conkey "{1}", adbin holding the
// default expression's SQL text, which pg_get_expr returns as it is).
//
// Object identifiers: tables, views and indexes keep the OIDs storage
// assigned (16384 and up); the catalog tables themselves, the schemas,
// types, roles and the database use fixed OIDs below 16384, PostgreSQL's
// own where one exists. A PRIMARY KEY or UNIQUE constraint's pg_constraint
// OID is the OID of its index.
package pgcatalog

import (
	"slices"
	"strings"

	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
)

// Column is a column of a catalog table.
type Column struct {
	Name string
	Type types.T
}

// typeChar is PostgreSQL's one-byte "char" type (relkind, contype...),
// carried as text.
var typeChar = types.Text

// typeOther stands for the types Chronos does not have; see the package
// documentation.
var typeOther = types.Text

// Schema names and OIDs.
const (
	SchemaCatalog = "pg_catalog"
	SchemaInfo    = "information_schema"
	SchemaPublic  = "public"
	SchemaToast   = "pg_toast"

	oidCatalog uint32 = 11
	oidToast   uint32 = 99
	oidPublic  uint32 = 2200
	oidInfo    uint32 = 13000

	// oidBootstrapRole is the role owning every object (PostgreSQL's
	// bootstrap superuser); its name is the session's user.
	oidBootstrapRole uint32 = 10
	// oidDatabaseOwner is the pg_database_owner role, owner of public.
	oidDatabaseOwner uint32 = 6171
	// oidDatabase is the OID of the one database.
	oidDatabase uint32 = 5
	// oidHeap and oidBtree are the access methods.
	oidHeap  uint32 = 2
	oidBtree uint32 = 403
	// oidFirstCatalogTable is the OID of the first catalog table in
	// catalogTables order.
	oidFirstCatalogTable uint32 = 12000
	// oidFirstFunction is the OID of the first of catalogFunctions.
	oidFirstFunction int64 = 11000
	// collation OIDs.
	oidCollDefault uint32 = 100
	oidCollC       uint32 = 950
	oidCollPOSIX   uint32 = 951
)

// Info is what the rows depend on besides the snapshot.
type Info struct {
	// User is the session's user, shown as the owner of every object.
	User string
	// Database is the connected database's name.
	Database string
	// ViewTypes returns the types of a view's output columns; when nil or
	// when it fails, view columns are listed as text.
	ViewTypes func(v *storage.ViewDef) ([]types.T, error)
	// Settings lists the run-time parameters for pg_settings: name and
	// current value, sorted by name. May be nil.
	Settings func() [][2]string
}

// IsCatalogSchema reports whether schema names one of the virtual schemas.
func IsCatalogSchema(schema string) bool {
	return schema == SchemaCatalog || schema == SchemaInfo
}

// Lookup returns the columns of the catalog table schema.name. An empty
// schema means the search path, on which pg_catalog comes first (as in
// PostgreSQL, pg_class names the catalog even when a table of that name
// exists in public); information_schema must be named.
func Lookup(schema, name string) ([]Column, bool) {
	if schema == "" {
		schema = SchemaCatalog
	}
	cols, ok := tableColumns[[2]string{schema, name}]
	return cols, ok
}

// catalogTable names one catalog table.
type catalogTable struct {
	schema, name string
	oid          uint32
}

// catalogTables lists every catalog table sorted by schema and name, with
// its OID.
var catalogTables = func() []catalogTable {
	var out []catalogTable
	for k := range tableColumns {
		out = append(out, catalogTable{schema: k[0], name: k[1]})
	}
	slices.SortFunc(out, func(a, b catalogTable) int {
		if c := strings.Compare(a.schema, b.schema); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	for i := range out {
		out[i].oid = oidFirstCatalogTable + uint32(i)
	}
	return out
}()

// catalogTableOID returns the OID of a catalog table, 0 if there is none.
func catalogTableOID(schema, name string) uint32 {
	for _, ct := range catalogTables {
		if ct.schema == schema && ct.name == name {
			return ct.oid
		}
	}
	return 0
}

// catalogViews are the pg_catalog relations that are views in PostgreSQL
// (every information_schema relation is one).
var catalogViews = map[string]bool{
	"pg_roles": true, "pg_user": true, "pg_settings": true, "pg_tables": true, "pg_views": true,
	"pg_indexes": true, "pg_sequences": true, "pg_stat_user_tables": true, "pg_locks": true,
	"pg_timezone_names": true, "pg_prepared_statements": true, "pg_cursors": true,
	"pg_available_extensions": true, "pg_stat_activity": true, "pg_matviews": true,
}

// Rows returns the rows of the catalog table schema.name (see Lookup) as
// of snap, one value per column of Lookup's list.
func Rows(schema, name string, snap *storage.Snapshot, info Info) [][]types.Value {
	if schema == "" {
		schema = SchemaCatalog
	}
	cols, ok := tableColumns[[2]string{schema, name}]
	if !ok {
		return nil
	}
	var maps []row
	g := &gen{snap: snap, info: info}
	if schema == SchemaCatalog {
		if p, ok := pgProducers[name]; ok {
			maps = p(g)
		}
	} else if p, ok := infoProducers[name]; ok {
		maps = p(g)
	}
	out := make([][]types.Value, len(maps))
	for i, m := range maps {
		r := make([]types.Value, len(cols))
		for j, c := range cols {
			v, ok := m[c.Name]
			if !ok && schema == SchemaCatalog {
				v = zero(c)
			}
			r[j] = normalize(v)
		}
		out[i] = r
	}
	return out
}

// row is one generated row by column name; absent columns take zero's
// value.
type row map[string]types.Value

// zero is the value of a pg_catalog column a producer does not fill:
// false, 0 or an empty "char", and NULL for text, names and the types
// Chronos lacks. information_schema columns not filled are NULL.
func zero(c Column) types.Value {
	switch c.Type.OID {
	case types.OIDBool:
		return false
	case types.OIDOid, types.OIDInt2, types.OIDInt4, types.OIDInt8:
		return int64(0)
	case types.OIDFloat4:
		return float64(0)
	}
	return nil
}

// normalize converts the Go values producers use to engine values.
func normalize(v types.Value) types.Value {
	switch x := v.(type) {
	case uint32:
		return int64(x)
	case int:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	}
	return v
}

// gen holds what producers read.
type gen struct {
	snap *storage.Snapshot
	info Info
}

// user returns the name of the owning role.
func (g *gen) user() string {
	if g.info.User == "" {
		return "chronos"
	}
	return g.info.User
}

// database returns the database name.
func (g *gen) database() string {
	if g.info.Database == "" {
		return "chronos"
	}
	return g.info.Database
}
