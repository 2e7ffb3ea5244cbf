package pgcatalog

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
)

// Source gives the snapshot and session facts a catalog function reads at
// evaluation time. The engine's execution state implements it and is
// reachable as expr.Context.Session; when it is not, functions read the
// snapshot the plan was built on.
type Source interface {
	CatalogSnapshot() *storage.Snapshot
	CatalogInfo() Info
}

// function is one catalog function: its result type and its evaluation
// over non-NULL arguments (strict functions) or any arguments.
type function struct {
	minArgs, maxArgs int
	ret              types.T
	lazy             bool // sees NULL arguments
	fn               func(g *gen, args []types.Value) (types.Value, error)
}

// functions are the catalog functions, by name as the dialect delivers it
// (without "pg_catalog.").
var functions = map[string]function{
	// Relations are visible when their schema is on the search path:
	// pg_catalog and public, not information_schema.
	"pg_table_is_visible": {1, 1, types.Bool, false, func(g *gen, a []types.Value) (types.Value, error) {
		oid := toInt(a[0])
		for _, ct := range catalogTables {
			if int64(ct.oid) == oid {
				return ct.schema == SchemaCatalog, nil
			}
		}
		return true, nil
	}},
	"pg_type_is_visible":           {1, 1, types.Bool, false, trueFunc},
	"pg_function_is_visible":       {1, 1, types.Bool, false, trueFunc},
	"pg_collation_is_visible":      {1, 1, types.Bool, false, trueFunc},
	"pg_operator_is_visible":       {1, 1, types.Bool, false, trueFunc},
	"pg_conversion_is_visible":     {1, 1, types.Bool, false, trueFunc},
	"pg_opclass_is_visible":        {1, 1, types.Bool, false, trueFunc},
	"pg_opfamily_is_visible":       {1, 1, types.Bool, false, trueFunc},
	"pg_statistics_obj_is_visible": {1, 1, types.Bool, false, trueFunc},
	"pg_ts_config_is_visible":      {1, 1, types.Bool, false, trueFunc},
	"pg_ts_dict_is_visible":        {1, 1, types.Bool, false, trueFunc},
	"pg_ts_parser_is_visible":      {1, 1, types.Bool, false, trueFunc},
	"pg_ts_template_is_visible":    {1, 1, types.Bool, false, trueFunc},
	"getdatabaseencoding": {0, 0, types.Name, false, func(*gen, []types.Value) (types.Value, error) {
		return "UTF8", nil
	}},
	"pg_get_function_arguments":          {1, 1, types.Text, false, nullFunc},
	"pg_get_function_identity_arguments": {1, 1, types.Text, false, nullFunc},
	"pg_tablespace_location": {1, 1, types.Text, false, func(*gen, []types.Value) (types.Value, error) {
		return "", nil
	}},
	"format_type": {2, 2, types.Text, true, fnFormatType},
	"pg_get_userbyid": {1, 1, types.Name, false, func(g *gen, a []types.Value) (types.Value, error) {
		oid := uint32(toInt(a[0]))
		if name := g.roleName(oid); name != "" {
			return name, nil
		}
		return fmt.Sprintf("unknown (OID=%d)", oid), nil
	}},
	"pg_get_indexdef": {1, 3, types.Text, false, func(g *gen, a []types.Value) (types.Value, error) {
		r, ok := g.relationByOID(toInt(a[0]))
		if !ok || r.kind != "i" || r.index == nil {
			return nil, nil
		}
		if len(a) > 1 && toInt(a[1]) > 0 {
			col := int(toInt(a[1]))
			if col > len(r.attrs) {
				return "", nil
			}
			return quoteIdent(r.attrs[col-1].name), nil
		}
		return indexDef(r), nil
	}},
	"pg_get_constraintdef": {1, 2, types.Text, false, func(g *gen, a []types.Value) (types.Value, error) {
		r, ok := g.relationByOID(toInt(a[0]))
		if !ok || r.kind != "i" || r.index == nil {
			return nil, nil
		}
		return constraintDef(r), nil
	}},
	"pg_get_viewdef": {1, 2, types.Text, false, func(g *gen, a []types.Value) (types.Value, error) {
		r, ok := g.relationByOID(toInt(a[0]))
		if !ok || r.view == nil {
			return nil, nil
		}
		return " " + r.view.Query + ";", nil
	}},
	// pg_get_expr returns the expression's SQL text, which is what the
	// catalogs store in place of a node tree.
	"pg_get_expr": {2, 3, types.Text, false, func(g *gen, a []types.Value) (types.Value, error) {
		return types.FormatText(a[0], types.Text), nil
	}},
	"pg_get_ruledef":         {1, 2, types.Text, false, nullFunc}, // Chronos has no rules
	"obj_description":        {1, 2, types.Text, false, nullFunc},
	"col_description":        {2, 2, types.Text, false, nullFunc},
	"shobj_description":      {2, 2, types.Text, false, nullFunc},
	"pg_encoding_to_char":    {1, 1, types.Name, false, fnEncoding},
	"pg_table_size":          {1, 1, types.Int8, false, fnSize},
	"pg_relation_size":       {1, 2, types.Int8, false, fnSize},
	"pg_total_relation_size": {1, 1, types.Int8, false, fnSize},
	"pg_size_pretty": {1, 1, types.Text, false, func(g *gen, a []types.Value) (types.Value, error) {
		return sizePretty(toInt(a[0])), nil
	}},
	"pg_relation_is_publishable": {1, 1, types.Bool, false, func(g *gen, a []types.Value) (types.Value, error) {
		return false, nil
	}},
	"pg_get_statisticsobjdef_columns": {1, 1, types.Text, false, nullFunc},
	"chronos_any_eq":                  {2, 2, types.Bool, false, nil}, // set per call by Function
	"array_upper": {2, 2, types.Int4, false, func(g *gen, a []types.Value) (types.Value, error) {
		n := len(ArrayElements(types.FormatText(a[0], types.Text)))
		if n == 0 || toInt(a[1]) != 1 {
			return nil, nil
		}
		return int64(n), nil
	}},
	"array_length": {2, 2, types.Int4, false, func(g *gen, a []types.Value) (types.Value, error) {
		n := len(ArrayElements(types.FormatText(a[0], types.Text)))
		if n == 0 || toInt(a[1]) != 1 {
			return nil, nil
		}
		return int64(n), nil
	}},
	"array_position": {2, 2, types.Int4, false, func(g *gen, a []types.Value) (types.Value, error) {
		want := types.FormatText(a[1], types.Text)
		for i, e := range ArrayElements(types.FormatText(a[0], types.Text)) {
			if e != nil && e.(string) == want {
				return int64(i + 1), nil
			}
		}
		return nil, nil
	}},
	// current_schemas(include_implicit) is the effective search path.
	"current_schemas": {1, 1, typeOther, false, func(g *gen, a []types.Value) (types.Value, error) {
		if b, ok := a[0].(bool); ok && b {
			return "{pg_catalog,public}", nil
		}
		return "{public}", nil
	}},
	// array_to_string joins the non-NULL elements of an array's text form.
	"array_to_string": {2, 3, types.Text, false, func(g *gen, a []types.Value) (types.Value, error) {
		var parts []string
		for _, e := range ArrayElements(types.FormatText(a[0], types.Text)) {
			if e != nil {
				parts = append(parts, e.(string))
			}
		}
		return strings.Join(parts, types.FormatText(a[1], types.Text)), nil
	}},
}

func init() {
	// Registered here: it reads pg_proc's list, which is built from
	// functions.
	functions["pg_get_function_result"] = function{1, 1, types.Text, false, func(g *gen, a []types.Value) (types.Value, error) {
		list := catalogFunctions()
		if i := toInt(a[0]) - oidFirstFunction; i >= 0 && i < int64(len(list)) {
			return list[i].ret.String(), nil
		}
		return nil, nil
	}}
}

// IsFunction reports whether name is a catalog function Function compiles.
func IsFunction(name string) bool {
	_, ok := functions[name]
	return ok
}

// Function compiles a call of the catalog function name over compiled
// arguments. snap and info are used when the evaluation context does not
// provide a Source.
func Function(name string, args []expr.Expr, snap *storage.Snapshot, info Info) (expr.Expr, error) {
	f, ok := functions[name]
	if !ok || len(args) < f.minArgs || len(args) > f.maxArgs {
		names := make([]string, len(args))
		for i, a := range args {
			names[i] = a.Type().String()
		}
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s(%s) does not exist", name, strings.Join(names, ", ")).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
	}
	if name == "chronos_any_eq" {
		f.fn = anyEq(args[0])
	}
	return &callExpr{name: name, f: f, args: args, snap: snap, info: info}, nil
}

// callExpr is a compiled catalog function call.
type callExpr struct {
	name string
	f    function
	args []expr.Expr
	snap *storage.Snapshot
	info Info
}

func (c *callExpr) Type() types.T { return c.f.ret }

func (c *callExpr) String() string {
	parts := make([]string, len(c.args))
	for i, a := range c.args {
		parts[i] = a.String()
	}
	return c.name + "(" + strings.Join(parts, ", ") + ")"
}

func (c *callExpr) Eval(ctx *expr.Context, r []types.Value) (types.Value, error) {
	vals := make([]types.Value, len(c.args))
	for i, a := range c.args {
		v, err := a.Eval(ctx, r)
		if err != nil {
			return nil, err
		}
		if v == nil && !c.f.lazy {
			return nil, nil
		}
		vals[i] = v
	}
	return c.f.fn(genFor(ctx, c.snap, c.info), vals)
}

// genFor returns the generator over the evaluation's snapshot.
func genFor(ctx *expr.Context, snap *storage.Snapshot, info Info) *gen {
	if ctx != nil {
		if src, ok := ctx.Session.(Source); ok {
			if s := src.CatalogSnapshot(); s != nil {
				return &gen{snap: s, info: src.CatalogInfo()}
			}
		}
	}
	return &gen{snap: snap, info: info}
}

func trueFunc(*gen, []types.Value) (types.Value, error) { return true, nil }

func nullFunc(*gen, []types.Value) (types.Value, error) { return nil, nil }

// fnFormatType is format_type(type oid, typmod): NULL for a NULL type, a
// NULL typmod meaning none.
func fnFormatType(_ *gen, a []types.Value) (types.Value, error) {
	if a[0] == nil {
		return nil, nil
	}
	mod := int32(-1)
	if a[1] != nil {
		mod = int32(toInt(a[1]))
	}
	o := types.OID(toInt(a[0]))
	if o == 18 {
		return `"char"`, nil
	}
	if typeByOID(o).name == "unknown" && o != types.OIDUnknownLit {
		return "???", nil
	}
	return types.T{OID: o, Mod: mod}.String(), nil
}

func fnEncoding(_ *gen, a []types.Value) (types.Value, error) {
	switch toInt(a[0]) {
	case 0:
		return "SQL_ASCII", nil
	case 6:
		return "UTF8", nil
	}
	return "", nil
}

func fnSize(g *gen, a []types.Value) (types.Value, error) {
	r, ok := g.relationByOID(toInt(a[0]))
	if !ok {
		return nil, nil
	}
	return g.relationSize(r), nil
}

// sizePretty is pg_size_pretty: bytes below 10 kB, then kB, MB, GB, TB,
// each unit rounded half away from zero and used while the number stays
// below 10240.
func sizePretty(size int64) string {
	const limit = 10 * 1024
	const limit2 = limit*2 - 1
	abs := func(x int64) int64 {
		if x < 0 {
			return -x
		}
		return x
	}
	half := func(x int64) int64 {
		if x < 0 {
			return (x - 1) / 2
		}
		return (x + 1) / 2
	}
	if abs(size) < limit {
		return strconv.FormatInt(size, 10) + " bytes"
	}
	size >>= 9 // keep one bit for rounding
	for _, unit := range []string{"kB", "MB", "GB"} {
		if abs(size) < limit2 {
			return strconv.FormatInt(half(size), 10) + " " + unit
		}
		size >>= 10
	}
	return strconv.FormatInt(half(size), 10) + " TB"
}

// toInt reads an integer argument that may arrive as an untyped literal.
func toInt(v types.Value) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n
	}
	return 0
}

// RelationOID returns the OID of the relation name ("users",
// "public.users", "pg_catalog.pg_class"), for ::regclass; 42P01 when
// there is none.
func RelationOID(ctx *expr.Context, snap *storage.Snapshot, info Info, name string) (int64, error) {
	g := genFor(ctx, snap, info)
	schema, rel := "", strings.TrimSpace(name)
	if i := strings.LastIndexByte(rel, '.'); i >= 0 {
		schema, rel = rel[:i], rel[i+1:]
	}
	rel = unquote(rel)
	schema = unquote(schema)
	for _, r := range g.relations() {
		if r.name == rel && (schema == "" || namespaceName(r.namespace) == schema) {
			return int64(r.oid), nil
		}
	}
	return 0, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", name)
}

// RelationName returns regclass's text output for an OID: the relation's
// name, qualified when it is not visible without, or the number.
func RelationName(ctx *expr.Context, snap *storage.Snapshot, info Info, oid int64) string {
	if r, ok := genFor(ctx, snap, info).relationByOID(oid); ok {
		if r.namespace == oidInfo {
			return SchemaInfo + "." + quoteIdent(r.name)
		}
		return quoteIdent(r.name)
	}
	return strconv.FormatInt(oid, 10)
}

// unquote folds an identifier: quoted ones keep their case.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return strings.ToLower(s)
}

// RegclassCast compiles x::regclass: a relation name (text) is looked up,
// a number is taken as the OID.
func RegclassCast(x expr.Expr, snap *storage.Snapshot, info Info) expr.Expr {
	return &regclassExpr{arg: x, snap: snap, info: info}
}

// RegclassText compiles x::regclass::text, the relation's name.
func RegclassText(x expr.Expr, snap *storage.Snapshot, info Info) expr.Expr {
	return &regclassExpr{arg: x, snap: snap, info: info, text: true}
}

// regclassExpr is a cast to regclass, and with text set, on to text.
type regclassExpr struct {
	arg  expr.Expr
	snap *storage.Snapshot
	info Info
	text bool
}

func (e *regclassExpr) Type() types.T {
	if e.text {
		return types.Text
	}
	return types.Regclass
}

func (e *regclassExpr) String() string {
	if e.text {
		return "(" + e.arg.String() + ")::regclass::text"
	}
	return "(" + e.arg.String() + ")::regclass"
}

func (e *regclassExpr) Eval(ctx *expr.Context, r []types.Value) (types.Value, error) {
	v, err := e.arg.Eval(ctx, r)
	if v == nil || err != nil {
		return nil, err
	}
	var oid int64
	switch x := v.(type) {
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			oid = n
		} else if oid, err = RelationOID(ctx, e.snap, e.info, x); err != nil {
			return nil, err
		}
	default:
		oid = toInt(v)
	}
	if e.text {
		return RelationName(ctx, e.snap, e.info, oid), nil
	}
	return oid, nil
}
