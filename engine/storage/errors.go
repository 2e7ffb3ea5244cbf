package storage

import (
	"strings"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
)

// SQLSTATE codes this package reports that engine/sqlerr's catalogue lacks.
const (
	// codeSequenceLimit is sequence_generator_limit_exceeded.
	codeSequenceLimit sqlerr.Code = "2200H"
	// codeDependentObjects is dependent_objects_still_exist.
	codeDependentObjects sqlerr.Code = "2BP01"
)

func errSerialization() error {
	return sqlerr.New(sqlerr.SerializationFailure, "could not serialize access due to concurrent update")
}

func errSchemaChanged(table string) error {
	e := sqlerr.New(sqlerr.SerializationFailure, "could not serialize access due to concurrent update")
	e.Detail = "The definition of table \"" + table + "\" changed."
	return e
}

func errUndefinedRelation(name string) error {
	return sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", name)
}

func errRelationExists(name string) error {
	return sqlerr.New(sqlerr.DuplicateTable, "relation \"%s\" already exists", name)
}

// formatValue is a value as PostgreSQL shows it in error details.
func formatValue(v types.Value, t types.T) string {
	if v == nil {
		return "null"
	}
	return types.FormatText(v, t)
}

// keyDetail formats "(a, b)=(1, 2)" for index ix of def and row values vals.
func keyDetail(def *TableDef, ix *Index, vals []types.Value) string {
	var names, values []string
	for _, c := range ix.Columns {
		names = append(names, def.Columns[c].Name)
		values = append(values, formatValue(vals[c], def.Columns[c].Type))
	}
	return "(" + strings.Join(names, ", ") + ")=(" + strings.Join(values, ", ") + ")"
}

func errDuplicateKey(def *TableDef, ix *Index, vals []types.Value) error {
	e := sqlerr.New(sqlerr.UniqueViolation, "duplicate key value violates unique constraint \"%s\"", ix.Name)
	e.Detail = "Key " + keyDetail(def, ix, vals) + " already exists."
	return e
}

func errIndexDuplicated(def *TableDef, ix *Index, vals []types.Value) error {
	e := sqlerr.New(sqlerr.UniqueViolation, "could not create unique index \"%s\"", ix.Name)
	e.Detail = "Key " + keyDetail(def, ix, vals) + " is duplicated."
	return e
}

func errNotNull(def *TableDef, col int, vals []types.Value) error {
	e := sqlerr.New(sqlerr.NotNullViolation,
		"null value in column \"%s\" of relation \"%s\" violates not-null constraint",
		def.Columns[col].Name, def.Name)
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = formatValue(v, def.Columns[i].Type)
	}
	e.Detail = "Failing row contains (" + strings.Join(parts, ", ") + ")."
	return e
}

func errColumnContainsNulls(table, column string) error {
	return sqlerr.New(sqlerr.NotNullViolation, "column \"%s\" of relation \"%s\" contains null values", column, table)
}
