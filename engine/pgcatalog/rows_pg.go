package pgcatalog

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/chronos-db/chronos/engine/types"
)

// pgProducers generate the rows of the pg_catalog tables that are not
// empty; the others (pg_policy, pg_trigger, pg_inherits, pg_publication,
// pg_statistic_ext, ...) have no rows since Chronos has no such objects.
var pgProducers = map[string]func(g *gen) []row{
	"pg_namespace":   (*gen).pgNamespace,
	"pg_class":       (*gen).pgClass,
	"pg_attribute":   (*gen).pgAttribute,
	"pg_attrdef":     (*gen).pgAttrdef,
	"pg_index":       (*gen).pgIndex,
	"pg_constraint":  (*gen).pgConstraint,
	"pg_type":        (*gen).pgType,
	"pg_am":          (*gen).pgAm,
	"pg_database":    (*gen).pgDatabase,
	"pg_roles":       (*gen).pgRoles,
	"pg_user":        (*gen).pgUser,
	"pg_tablespace":  (*gen).pgTablespace,
	"pg_collation":   (*gen).pgCollation,
	"pg_settings":    (*gen).pgSettings,
	"pg_proc":        (*gen).pgProc,
	"pg_tables":      (*gen).pgTables,
	"pg_views":       (*gen).pgViews,
	"pg_indexes":     (*gen).pgIndexes,
	"pg_description": func(*gen) []row { return nil },
	"pg_sequence":    (*gen).pgSequence,
	"pg_depend":      (*gen).pgDepend,
}

func (g *gen) pgNamespace() []row {
	ns := func(oid uint32, name string, owner uint32) row {
		return row{"oid": oid, "nspname": name, "nspowner": owner}
	}
	return []row{
		ns(oidCatalog, SchemaCatalog, oidBootstrapRole),
		ns(oidToast, SchemaToast, oidBootstrapRole),
		ns(oidPublic, SchemaPublic, oidDatabaseOwner),
		ns(oidInfo, SchemaInfo, oidBootstrapRole),
	}
}

func (g *gen) pgClass() []row {
	var out []row
	for _, r := range g.relations() {
		x := row{
			"oid": r.oid, "relname": r.name, "relnamespace": r.namespace, "relowner": oidBootstrapRole,
			"relkind": r.kind, "relnatts": len(r.attrs), "relpersistence": "p", "relreplident": "n",
			"relfilenode": r.oid, "relpages": 0, "reltuples": float64(-1), "relhasindex": false,
		}
		switch r.kind {
		case "r":
			x["relam"] = oidHeap
			x["relreplident"] = "d"
			if r.def != nil {
				x["relhasindex"] = len(r.def.Indexes) > 0
				if t, ok := g.snap.Table(r.def.Name); ok {
					x["reltuples"] = float64(t.Len())
				}
			}
		case "i":
			x["relam"] = oidBtree
			x["relfilenode"] = r.oid
		case "S":
			x["relam"] = 0
		case "v":
			x["relfilenode"] = 0
			x["relhasrules"] = true
		}
		out = append(out, x)
	}
	return out
}

func (g *gen) pgAttribute() []row {
	var out []row
	for _, r := range g.relations() {
		for i, a := range r.attrs {
			ti := typeByOID(a.typ.OID)
			out = append(out, row{
				"attrelid": r.oid, "attname": a.name, "atttypid": uint32(a.typ.OID), "attstattarget": -1,
				"attlen": ti.len, "attnum": i + 1, "attcacheoff": -1, "atttypmod": a.typ.Mod,
				"attbyval": ti.byVal, "attalign": ti.align, "attstorage": ti.storage, "attcompression": "",
				"attnotnull": a.notNull, "atthasdef": a.def != "", "attidentity": "", "attgenerated": "",
				"attislocal": true, "attcollation": ti.collation,
			})
		}
	}
	return out
}

func (g *gen) pgAttrdef() []row {
	var out []row
	for _, r := range g.relations() {
		if r.kind != "r" {
			continue
		}
		for i, a := range r.attrs {
			if a.def != "" {
				out = append(out, row{"adrelid": r.oid, "adnum": i + 1, "adbin": a.def})
			}
		}
	}
	return out
}

// int2vector is the text form of PostgreSQL's int2vector: "1 3".
func int2vector(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x + 1)
	}
	return strings.Join(parts, " ")
}

func (g *gen) pgIndex() []row {
	var out []row
	for _, r := range g.relations() {
		if r.kind != "i" {
			continue
		}
		ix := r.index
		zeros := strings.TrimSpace(strings.Repeat("0 ", len(ix.Columns)))
		out = append(out, row{
			"indexrelid": r.oid, "indrelid": r.def.OID, "indnatts": len(ix.Columns),
			"indnkeyatts": len(ix.Columns), "indisunique": ix.Unique, "indisprimary": ix.Primary,
			"indimmediate": true, "indisvalid": true, "indisready": true, "indislive": true,
			"indkey": int2vector(ix.Columns), "indcollation": zeros, "indclass": zeros, "indoption": zeros,
		})
	}
	return out
}

func (g *gen) pgConstraint() []row {
	var out []row
	for _, r := range g.relations() {
		if r.kind != "i" || !r.index.Constraint && !r.index.Primary {
			continue
		}
		typ := "u"
		if r.index.Primary {
			typ = "p"
		}
		keys := make([]string, len(r.index.Columns))
		for i, c := range r.index.Columns {
			keys[i] = strconv.Itoa(c + 1)
		}
		out = append(out, row{
			"oid": r.oid, "conname": r.name, "connamespace": oidPublic, "contype": typ,
			"convalidated": true, "conrelid": r.def.OID, "conindid": r.oid,
			"confupdtype": " ", "confdeltype": " ", "confmatchtype": " ", "conislocal": true,
			"connoinherit": true, "conkey": "{" + strings.Join(keys, ",") + "}",
		})
	}
	return out
}

func (g *gen) pgType() []row {
	var out []row
	for _, t := range builtinTypes {
		out = append(out, row{
			"oid": uint32(t.oid), "typname": t.name, "typnamespace": oidCatalog, "typowner": oidBootstrapRole,
			"typlen": t.len, "typbyval": t.byVal, "typtype": "b", "typcategory": t.category,
			"typisdefined": true, "typdelim": ",", "typalign": t.align, "typstorage": t.storage,
			"typtypmod": -1, "typcollation": t.collation,
		})
	}
	return out
}

func (g *gen) pgAm() []row {
	return []row{
		{"oid": oidHeap, "amname": "heap", "amtype": "t"},
		{"oid": oidBtree, "amname": "btree", "amtype": "i"},
	}
}

func (g *gen) pgDatabase() []row {
	return []row{{
		"oid": oidDatabase, "datname": g.database(), "datdba": oidBootstrapRole, "encoding": 6,
		"datlocprovider": "c", "datallowconn": true, "datconnlimit": -1, "dattablespace": 1663,
		"datcollate": "C.UTF-8", "datctype": "C.UTF-8",
	}}
}

// roles are the rows of pg_roles: the bootstrap superuser, named after the
// session's user, and pg_database_owner.
func (g *gen) roles() []row {
	return []row{
		{"oid": oidBootstrapRole, "rolname": g.user(), "rolsuper": true, "rolinherit": true,
			"rolcreaterole": true, "rolcreatedb": true, "rolcanlogin": true, "rolreplication": true,
			"rolconnlimit": -1, "rolpassword": "********", "rolbypassrls": true},
		{"oid": oidDatabaseOwner, "rolname": "pg_database_owner", "rolinherit": true, "rolconnlimit": -1,
			"rolpassword": "********"},
	}
}

func (g *gen) pgRoles() []row {
	out := g.roles()
	for _, r := range g.snap.Roles() {
		if r.Name == g.user() {
			continue
		}
		out = append(out, row{"oid": RoleOID(r.Name), "rolname": r.Name, "rolsuper": r.Superuser,
			"rolinherit": true, "rolcreaterole": r.Superuser, "rolcreatedb": r.Superuser,
			"rolcanlogin": r.Login, "rolreplication": r.Superuser, "rolbypassrls": r.Superuser,
			"rolconnlimit": -1, "rolpassword": "********"})
	}
	return out
}

// RoleOID is the OID shown for a role created with CREATE ROLE: storage
// assigns roles no OID, so it is derived from the name (FNV-1a) into a
// range no other object uses.
func RoleOID(name string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(name); i++ {
		h ^= uint32(name[i])
		h *= 16777619
	}
	return 1<<31 | h>>1
}

// roleName returns the name of a role OID, or "" if there is none.
func (g *gen) roleName(oid uint32) string {
	switch oid {
	case oidBootstrapRole:
		return g.user()
	case oidDatabaseOwner:
		return "pg_database_owner"
	}
	for _, r := range g.snap.Roles() {
		if RoleOID(r.Name) == oid && r.Name != g.user() {
			return r.Name
		}
	}
	return ""
}

func (g *gen) pgUser() []row {
	var out []row
	for _, r := range g.pgRoles() {
		if r["rolcanlogin"] != true {
			continue
		}
		out = append(out, row{"usename": r["rolname"], "usesysid": r["oid"], "usecreatedb": r["rolcreatedb"],
			"usesuper": r["rolsuper"], "userepl": r["rolreplication"], "usebypassrls": r["rolbypassrls"],
			"passwd": "********"})
	}
	return out
}

func (g *gen) pgTablespace() []row {
	return []row{
		{"oid": uint32(1663), "spcname": "pg_default", "spcowner": oidBootstrapRole},
		{"oid": uint32(1664), "spcname": "pg_global", "spcowner": oidBootstrapRole},
	}
}

func (g *gen) pgCollation() []row {
	c := func(oid uint32, name, provider, collate string) row {
		return row{"oid": oid, "collname": name, "collnamespace": oidCatalog, "collowner": oidBootstrapRole,
			"collprovider": provider, "collisdeterministic": true, "collencoding": -1,
			"collcollate": collate, "collctype": collate}
	}
	return []row{c(oidCollDefault, "default", "d", ""), c(oidCollC, "C", "c", "C"), c(oidCollPOSIX, "POSIX", "c", "POSIX")}
}

func (g *gen) pgSettings() []row {
	if g.info.Settings == nil {
		return nil
	}
	var out []row
	for _, s := range g.info.Settings() {
		out = append(out, row{"name": s[0], "setting": s[1], "context": "user", "vartype": "string",
			"source": "default", "boot_val": s[1], "reset_val": s[1], "pending_restart": false})
	}
	return out
}

// pgProc lists the catalog functions this package answers, so that tools
// probing for them find them.
func (g *gen) pgProc() []row {
	var out []row
	for i, f := range catalogFunctions() {
		out = append(out, row{"oid": oidFirstFunction + int64(i), "proname": f.name, "pronamespace": oidCatalog,
			"proowner": oidBootstrapRole, "prolang": uint32(12), "prokind": "f", "provolatile": "s",
			"proparallel": "s", "pronargs": f.nargs, "prorettype": uint32(f.ret.OID)})
	}
	return out
}

func (g *gen) pgTables() []row {
	var out []row
	for _, r := range g.relations() {
		if r.kind == "r" {
			out = append(out, row{"schemaname": namespaceName(r.namespace), "tablename": r.name,
				"tableowner": g.user(), "hasindexes": r.def != nil && len(r.def.Indexes) > 0})
		}
	}
	return out
}

func (g *gen) pgViews() []row {
	var out []row
	for _, v := range g.snap.Views() {
		out = append(out, row{"schemaname": SchemaPublic, "viewname": v.Name, "viewowner": g.user(),
			"definition": v.Query})
	}
	return out
}

func (g *gen) pgIndexes() []row {
	var out []row
	for _, r := range g.relations() {
		if r.kind == "i" {
			out = append(out, row{"schemaname": SchemaPublic, "tablename": r.def.Name,
				"indexname": r.name, "indexdef": indexDef(r)})
		}
	}
	return out
}

// catalogFunction describes a function for pg_proc.
type catalogFunction struct {
	name  string
	nargs int
	ret   types.T
}

// catalogFunctions are the functions of this package listed in pg_proc,
// sorted by name; the internal chronos_* helpers are left out.
var catalogFunctions = sync.OnceValue(func() []catalogFunction {
	var out []catalogFunction
	for name, f := range functions {
		if !strings.HasPrefix(name, "chronos_") {
			out = append(out, catalogFunction{name: name, nargs: f.maxArgs, ret: f.ret})
		}
	}
	slices.SortFunc(out, func(a, b catalogFunction) int { return strings.Compare(a.name, b.name) })
	return out
})

func (g *gen) pgSequence() []row {
	var out []row
	for _, r := range g.relations() {
		if r.kind != "S" {
			continue
		}
		typ := r.def.Columns[r.column].Type
		max := map[types.OID]int64{types.OIDInt2: 32767, types.OIDInt4: 2147483647}[typ.OID]
		if max == 0 {
			max = 9223372036854775807
		}
		out = append(out, row{"seqrelid": r.oid, "seqtypid": uint32(typ.OID), "seqstart": 1, "seqincrement": 1,
			"seqmax": max, "seqmin": 1, "seqcache": 1})
	}
	return out
}

// pgDepend records that each serial column's sequence is owned by the
// column (deptype 'a'), which psql shows as "Owned by".
func (g *gen) pgDepend() []row {
	var out []row
	classOID := catalogTableOID(SchemaCatalog, "pg_class")
	for _, r := range g.relations() {
		if r.kind == "S" {
			out = append(out, row{"classid": classOID, "objid": r.oid, "refclassid": classOID,
				"refobjid": r.def.OID, "refobjsubid": r.column + 1, "deptype": "a"})
		}
	}
	return out
}
