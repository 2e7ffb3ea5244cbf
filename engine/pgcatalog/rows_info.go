package pgcatalog

import (
	"github.com/chronos-db/chronos/engine/types"
)

// infoProducers generate the rows of the information_schema views.
var infoProducers = map[string]func(g *gen) []row{
	"schemata":          (*gen).isSchemata,
	"tables":            (*gen).isTables,
	"columns":           (*gen).isColumns,
	"views":             (*gen).isViews,
	"table_constraints": (*gen).isTableConstraints,
	"key_column_usage":  (*gen).isKeyColumnUsage,
}

// yesNo is information_schema's yes_or_no.
func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

func (g *gen) isSchemata() []row {
	var out []row
	for _, n := range g.pgNamespace() {
		owner := g.user()
		if n["nspowner"] == oidDatabaseOwner {
			owner = "pg_database_owner"
		}
		out = append(out, row{"catalog_name": g.database(), "schema_name": n["nspname"], "schema_owner": owner})
	}
	return out
}

func (g *gen) isTables() []row {
	var out []row
	for _, r := range g.relations() {
		var typ string
		switch r.kind {
		case "r":
			typ = "BASE TABLE"
		case "v":
			typ = "VIEW"
		default:
			continue
		}
		out = append(out, row{"table_catalog": g.database(), "table_schema": namespaceName(r.namespace),
			"table_name": r.name, "table_type": typ, "is_insertable_into": yesNo(r.kind == "r"), "is_typed": "NO"})
	}
	return out
}

// dataType is information_schema's data_type: the type's name without
// modifiers.
func dataType(t types.T) string {
	if t.OID == types.OIDBPChar {
		return "character"
	}
	return t.Base().String()
}

func (g *gen) isColumns() []row {
	var out []row
	for _, r := range g.relations() {
		if r.kind == "i" {
			continue
		}
		for i, a := range r.attrs {
			x := row{"table_catalog": g.database(), "table_schema": namespaceName(r.namespace),
				"table_name": r.name, "column_name": a.name, "ordinal_position": i + 1,
				"is_nullable": yesNo(!a.notNull), "data_type": dataType(a.typ),
				"udt_catalog": g.database(), "udt_schema": SchemaCatalog, "udt_name": typeByOID(a.typ.OID).name,
				"dtd_identifier": itoa(i + 1), "is_self_referencing": "NO", "is_identity": "NO",
				"is_generated": "NEVER", "is_updatable": yesNo(r.kind == "r")}
			if a.def != "" {
				x["column_default"] = a.def
			}
			switch a.typ.OID {
			case types.OIDVarchar, types.OIDBPChar:
				if a.typ.Mod >= 4 {
					x["character_maximum_length"] = int(a.typ.Mod - 4)
					x["character_octet_length"] = int(a.typ.Mod-4) * 4
				} else {
					x["character_octet_length"] = 1073741824
				}
			case types.OIDText:
				x["character_octet_length"] = 1073741824
			case types.OIDInt2, types.OIDInt4, types.OIDInt8:
				x["numeric_precision"] = map[types.OID]int{types.OIDInt2: 16, types.OIDInt4: 32, types.OIDInt8: 64}[a.typ.OID]
				x["numeric_precision_radix"] = 2
				x["numeric_scale"] = 0
			case types.OIDFloat4, types.OIDFloat8:
				x["numeric_precision"] = map[types.OID]int{types.OIDFloat4: 24, types.OIDFloat8: 53}[a.typ.OID]
				x["numeric_precision_radix"] = 2
			case types.OIDNumeric:
				x["numeric_precision_radix"] = 10
				if a.typ.Mod >= 4 {
					m := int(a.typ.Mod - 4)
					x["numeric_precision"] = m >> 16
					x["numeric_scale"] = m & 0xffff
				}
			case types.OIDDate:
				x["datetime_precision"] = 0
			case types.OIDTimestamp, types.OIDTimestamptz:
				p := 6
				if a.typ.Mod >= 0 {
					p = int(a.typ.Mod)
				}
				x["datetime_precision"] = p
			}
			out = append(out, x)
		}
	}
	return out
}

func (g *gen) isViews() []row {
	var out []row
	for _, v := range g.snap.Views() {
		out = append(out, row{"table_catalog": g.database(), "table_schema": SchemaPublic, "table_name": v.Name,
			"view_definition": v.Query, "check_option": "NONE", "is_updatable": "NO", "is_insertable_into": "NO",
			"is_trigger_updatable": "NO", "is_trigger_deletable": "NO", "is_trigger_insertable_into": "NO"})
	}
	return out
}

// constraintRows visits the PRIMARY KEY and UNIQUE constraints.
func (g *gen) constraintRows(fn func(r relation, typ string)) {
	for _, r := range g.relations() {
		if r.kind != "i" || !r.index.Constraint && !r.index.Primary {
			continue
		}
		typ := "UNIQUE"
		if r.index.Primary {
			typ = "PRIMARY KEY"
		}
		fn(r, typ)
	}
}

func (g *gen) isTableConstraints() []row {
	var out []row
	g.constraintRows(func(r relation, typ string) {
		out = append(out, row{"constraint_catalog": g.database(), "constraint_schema": SchemaPublic,
			"constraint_name": r.name, "table_catalog": g.database(), "table_schema": SchemaPublic,
			"table_name": r.def.Name, "constraint_type": typ, "is_deferrable": "NO",
			"initially_deferred": "NO", "enforced": "YES", "nulls_distinct": "YES"})
	})
	return out
}

func (g *gen) isKeyColumnUsage() []row {
	var out []row
	g.constraintRows(func(r relation, _ string) {
		for i, a := range r.attrs {
			out = append(out, row{"constraint_catalog": g.database(), "constraint_schema": SchemaPublic,
				"constraint_name": r.name, "table_catalog": g.database(), "table_schema": SchemaPublic,
				"table_name": r.def.Name, "column_name": a.name, "ordinal_position": i + 1})
		}
	})
	return out
}

func itoa(i int) string {
	return types.FormatText(int64(i), types.Int8)
}
