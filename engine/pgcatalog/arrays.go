package pgcatalog

import (
	"strings"

	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/types"
)

// Arrays. Chronos has no array type; the catalogs' array columns hold
// PostgreSQL's text form of an array ("{a,b}") or NULL, and the few array
// operations catalog queries use work on that form.

// ArrayText is the text form of an array of the given elements (nil
// elements are NULL): {a,b,"c d",NULL}.
func ArrayText(elems []types.Value, t types.T) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, e := range elems {
		if i > 0 {
			b.WriteByte(',')
		}
		if e == nil {
			b.WriteString("NULL")
			continue
		}
		b.WriteString(quoteElement(types.FormatText(e, t)))
	}
	b.WriteByte('}')
	return b.String()
}

// quoteElement quotes an array element the way array_out does.
func quoteElement(s string) string {
	need := s == "" || strings.EqualFold(s, "null") || strings.ContainsAny(s, "{},\"\\ \t\n\r\v\f")
	if !need {
		return s
	}
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	return `"` + s + `"`
}

// ArrayElements parses the text form of a one-dimensional array; NULL
// elements are nil.
func ArrayElements(s string) []types.Value {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil
	}
	body := s[1 : len(s)-1]
	var out []types.Value
	var cur strings.Builder
	quoted, inQuotes, any := false, false, false
	flush := func() {
		v := cur.String()
		if !quoted {
			v = strings.TrimSpace(v)
		}
		if !quoted && strings.EqualFold(v, "null") {
			out = append(out, nil)
		} else {
			out = append(out, v)
		}
		cur.Reset()
		quoted = false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		any = true
		switch {
		case c == '\\' && i+1 < len(body):
			i++
			cur.WriteByte(body[i])
		case c == '"':
			inQuotes = !inQuotes
			quoted = true
		case c == ',' && !inQuotes:
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	if any {
		flush()
	}
	return out
}

// ArraySubquery compiles ARRAY(subquery): the subquery's first column
// collected into an array's text form.
func ArraySubquery(sq expr.Subquery) expr.Expr {
	return &arrayExpr{sq: sq}
}

type arrayExpr struct {
	sq expr.Subquery
}

func (e *arrayExpr) Type() types.T  { return types.Text }
func (e *arrayExpr) String() string { return "ARRAY(SubPlan)" }

func (e *arrayExpr) Eval(ctx *expr.Context, r []types.Value) (types.Value, error) {
	rows, err := e.sq.Run(ctx, r)
	if err != nil {
		return nil, err
	}
	t := types.Text
	if cols := e.sq.Columns(); len(cols) > 0 {
		t = cols[0]
	}
	elems := make([]types.Value, len(rows))
	for i, row := range rows {
		if len(row) > 0 {
			elems[i] = row[0]
		}
	}
	return ArrayText(elems, t), nil
}

// anyEq is x = ANY (array): true when an element's text equals x's, NULL
// when none does but one is NULL, false otherwise.
func anyEq(x expr.Expr) func(g *gen, a []types.Value) (types.Value, error) {
	return func(g *gen, a []types.Value) (types.Value, error) {
		want := types.FormatText(a[0], x.Type())
		sawNull := false
		for _, e := range ArrayElements(types.FormatText(a[1], types.Text)) {
			if e == nil {
				sawNull = true
			} else if e.(string) == want {
				return true, nil
			}
		}
		if sawNull {
			return nil, nil
		}
		return false, nil
	}
}

// ArrayCast compiles x::elemtype[]: the value stays in its text form.
func ArrayCast(x expr.Expr) expr.Expr { return &textExpr{arg: x, name: "array"} }

// NamespaceText compiles x::regnamespace::text, a schema OID's name.
func NamespaceText(x expr.Expr) expr.Expr { return &textExpr{arg: x, name: "regnamespace", ns: true} }

// textExpr passes its argument on as text, or maps a schema OID to its
// name.
type textExpr struct {
	arg  expr.Expr
	name string
	ns   bool
}

func (e *textExpr) Type() types.T  { return types.Text }
func (e *textExpr) String() string { return "(" + e.arg.String() + ")::" + e.name }

func (e *textExpr) Eval(ctx *expr.Context, r []types.Value) (types.Value, error) {
	v, err := e.arg.Eval(ctx, r)
	if v == nil || err != nil {
		return nil, err
	}
	if e.ns {
		return namespaceName(uint32(toInt(v))), nil
	}
	return types.FormatText(v, e.arg.Type()), nil
}

// arrayColumns are the catalog columns holding arrays of numbers, with
// their element type; vectors (int2vector, oidvector) are written "1 2"
// and subscripted from 0, arrays "{1,2}" from 1.
var arrayColumns = map[string]struct {
	elem   types.T
	vector bool
}{
	"conkey": {types.Int2, false}, "confkey": {types.Int2, false}, "confdelsetcols": {types.Int2, false},
	"indkey": {types.Int2, true}, "indoption": {types.Int2, true}, "partattrs": {types.Int2, true},
	"prattrs": {types.Int2, true}, "stxkeys": {types.Int2, true}, "tgattr": {types.Int2, true},
	"conexclop": {types.Oid, false}, "conffeqop": {types.Oid, false}, "conpfeqop": {types.Oid, false},
	"conppeqop": {types.Oid, false}, "extconfig": {types.Oid, false}, "polroles": {types.Oid, false},
	"proallargtypes": {types.Oid, false}, "protrftypes": {types.Oid, false},
	"indclass": {types.Oid, true}, "indcollation": {types.Oid, true}, "partclass": {types.Oid, true},
	"partcollation": {types.Oid, true}, "proargtypes": {types.Oid, true},
}

// Subscript compiles arr[i]. column names the catalog column arr reads,
// or is "": the element type and the lower bound come from it; other
// arrays are of text subscripted from 1.
func Subscript(arr, idx expr.Expr, column string) expr.Expr {
	s := &subscriptExpr{arr: arr, idx: idx, elem: types.Text, lower: 1}
	if c, ok := arrayColumns[column]; ok {
		s.elem = c.elem
		if c.vector {
			s.lower = 0
		}
	}
	return s
}

type subscriptExpr struct {
	arr, idx expr.Expr
	elem     types.T
	lower    int64
}

func (e *subscriptExpr) Type() types.T  { return e.elem }
func (e *subscriptExpr) String() string { return e.arr.String() + "[" + e.idx.String() + "]" }

func (e *subscriptExpr) Eval(ctx *expr.Context, r []types.Value) (types.Value, error) {
	a, err := e.arr.Eval(ctx, r)
	if a == nil || err != nil {
		return nil, err
	}
	i, err := e.idx.Eval(ctx, r)
	if i == nil || err != nil {
		return nil, err
	}
	text := types.FormatText(a, e.arr.Type())
	var elems []types.Value
	if strings.HasPrefix(strings.TrimSpace(text), "{") {
		elems = ArrayElements(text)
	} else {
		for _, f := range strings.Fields(text) {
			elems = append(elems, f)
		}
	}
	k := toInt(i) - e.lower
	if k < 0 || k >= int64(len(elems)) || elems[k] == nil {
		return nil, nil
	}
	return types.ParseText(elems[k].(string), e.elem)
}
