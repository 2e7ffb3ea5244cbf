package expr

import (
	"math"
	"strings"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/cockroachdb/apd/v3"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// Aggregate is an aggregate function resolved for its argument types.
type Aggregate interface {
	// Type is the result type.
	Type() types.T
	// New starts the state for one group.
	New() AggState
}

// AggState accumulates one group's values.
type AggState interface {
	// Add feeds one input row's argument values (none for count(*)).
	Add(ctx *Context, args []types.Value) error
	// Result is the aggregate's value over the rows added (NULL for no
	// rows, except count's 0).
	Result() (types.Value, error)
}

var aggregateNames = map[string]bool{
	"count": true, "sum": true, "avg": true, "min": true, "max": true,
	"bool_and": true, "bool_or": true, "every": true, "string_agg": true,
}

// IsAggregate reports whether name (any case) is an aggregate function.
func IsAggregate(name string) bool { return aggregateNames[strings.ToLower(name)] }

// AggregateCall recognises an aggregate call in the AST: the parser's
// AggregateFuncExpr (count, sum, avg, min, max) and plain calls of the
// other aggregates (string_agg, bool_and, bool_or, every). count(*)
// returns no arguments. ok is false for anything else.
func AggregateCall(n ast.ExprNode) (name string, args []ast.ExprNode, distinct bool, ok bool) {
	switch x := n.(type) {
	case *ast.AggregateFuncExpr:
		name = strings.ToLower(x.F)
		args = x.Args
		if name == "count" && len(args) == 1 && !x.Distinct {
			if v, ok := args[0].(*test_driver.ValueExpr); ok && v.Kind() == test_driver.KindInt64 && v.GetInt64() == 1 {
				// count(*) (and count(1), which counts the same rows).
				args = nil
			}
		}
		return name, args, x.Distinct, true
	case *ast.FuncCallExpr:
		name = funcName(x)
		if IsAggregate(name) {
			return name, x.Args, false, true
		}
	}
	return "", nil, false, false
}

// NewAggregate resolves an aggregate for its argument types: count (no
// arguments for count(*)), sum, avg, min, max, bool_and, bool_or, every,
// string_agg(value, separator). distinct feeds each distinct argument
// tuple once. Unsupported types are 42883 errors.
func NewAggregate(name string, distinct bool, args []types.T) (Aggregate, error) {
	name = strings.ToLower(name)
	bad := func() (Aggregate, error) {
		names := make([]string, len(args))
		for i, a := range args {
			names[i] = a.String()
		}
		if name == "count" && len(args) == 0 {
			names = []string{"*"}
		}
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s(%s) does not exist", name, strings.Join(names, ", ")).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
	}
	var a *aggregate
	switch name {
	case "count":
		if len(args) > 1 {
			return bad()
		}
		a = &aggregate{t: types.Int8, newState: func() aggImpl { return &countState{} }}
	case "sum":
		if len(args) != 1 {
			return bad()
		}
		switch at := args[0]; at.OID {
		case types.OIDInt2, types.OIDInt4:
			a = &aggregate{t: types.Int8, newState: func() aggImpl { return &sumIntState{overflowToNumeric: false} }}
		case types.OIDInt8:
			a = &aggregate{t: types.Numeric, newState: func() aggImpl { return &sumIntState{overflowToNumeric: true} }}
		case types.OIDNumeric:
			a = &aggregate{t: types.Numeric, newState: func() aggImpl { return &sumNumericState{} }}
		case types.OIDFloat4, types.OIDFloat8:
			t := at.Base()
			a = &aggregate{t: t, newState: func() aggImpl { return &sumFloatState{single: t.OID == types.OIDFloat4} }}
		default:
			return bad()
		}
	case "avg":
		if len(args) != 1 {
			return bad()
		}
		switch at := args[0]; {
		case at.IsInteger() || at.OID == types.OIDNumeric:
			a = &aggregate{t: types.Numeric, newState: func() aggImpl { return &avgNumericState{} }}
		case at.IsFloat():
			a = &aggregate{t: types.Float8, newState: func() aggImpl { return &avgFloatState{} }}
		default:
			return bad()
		}
	case "min", "max":
		if len(args) != 1 || args[0].IsUnknown() || args[0].OID == anyType.OID {
			return bad()
		}
		t := args[0]
		sign := 1
		if name == "min" {
			sign = -1
		}
		a = &aggregate{t: t, newState: func() aggImpl { return &extremeState{t: t, sign: sign} }}
	case "bool_and", "every", "bool_or":
		if len(args) != 1 || args[0].OID != types.OIDBool {
			return bad()
		}
		and := name != "bool_or"
		a = &aggregate{t: types.Bool, newState: func() aggImpl { return &boolState{and: and} }}
	case "string_agg":
		if len(args) != 2 {
			return bad()
		}
		switch {
		case isTextual(args[0]) && isTextual(args[1]):
			a = &aggregate{t: types.Text, newState: func() aggImpl { return &stringAggState{} }}
		case args[0].OID == types.OIDBytea && args[1].OID == types.OIDBytea:
			a = &aggregate{t: types.Bytea, newState: func() aggImpl { return &stringAggState{bytes: true} }}
		default:
			return bad()
		}
	default:
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s does not exist", name)
	}
	a.distinct = distinct
	a.args = args
	a.countStar = name == "count" && len(args) == 0
	return a, nil
}

func isTextual(t types.T) bool { return t.IsString() || t.IsUnknown() }

// aggImpl is the per-group logic without DISTINCT and NULL handling.
type aggImpl interface {
	add(v []types.Value) error
	result() (types.Value, error)
}

type aggregate struct {
	t         types.T
	args      []types.T
	distinct  bool
	countStar bool
	newState  func() aggImpl
}

func (a *aggregate) Type() types.T { return a.t }

func (a *aggregate) New() AggState {
	s := &aggState{agg: a, impl: a.newState()}
	if a.distinct {
		s.seen = map[string]struct{}{}
	}
	return s
}

type aggState struct {
	agg  *aggregate
	impl aggImpl
	seen map[string]struct{}
	key  []byte
}

func (s *aggState) Add(ctx *Context, args []types.Value) error {
	if !s.agg.countStar {
		// Aggregates skip rows where the (first) argument is NULL;
		// string_agg also skips a NULL value but tolerates a NULL
		// separator.
		if len(args) > 0 && args[0] == nil {
			return nil
		}
	}
	if s.seen != nil {
		s.key = s.key[:0]
		for i, v := range args {
			s.key = types.AppendKey(s.key, v, s.agg.args[i])
		}
		if _, ok := s.seen[string(s.key)]; ok {
			return nil
		}
		s.seen[string(s.key)] = struct{}{}
	}
	return s.impl.add(args)
}

func (s *aggState) Result() (types.Value, error) { return s.impl.result() }

type countState struct{ n int64 }

func (s *countState) add([]types.Value) error      { s.n++; return nil }
func (s *countState) result() (types.Value, error) { return s.n, nil }

// sumIntState sums integers in an int64, moving to numeric when that
// overflows (sum(int8) is numeric; sum(int2/int4) is int8 and errs).
type sumIntState struct {
	overflowToNumeric bool
	n                 int64
	any               bool
	big               *apd.Decimal
}

func (s *sumIntState) add(v []types.Value) error {
	x := v[0].(int64)
	s.any = true
	if s.big != nil {
		r, err := types.AddNumeric(s.big, types.NumericFromInt(x))
		if err != nil {
			return err
		}
		s.big = r
		return nil
	}
	sum := s.n + x
	if (x >= 0) == (s.n >= 0) && (sum >= 0) != (x >= 0) {
		if !s.overflowToNumeric {
			return types.IntOutOfRange(types.Int8)
		}
		r, err := types.AddNumeric(types.NumericFromInt(s.n), types.NumericFromInt(x))
		if err != nil {
			return err
		}
		s.big = r
		return nil
	}
	s.n = sum
	return nil
}

func (s *sumIntState) result() (types.Value, error) {
	switch {
	case !s.any:
		return nil, nil
	case s.big != nil:
		return s.big, nil
	case s.overflowToNumeric:
		return types.NumericFromInt(s.n), nil
	}
	return s.n, nil
}

type sumNumericState struct{ sum *apd.Decimal }

func (s *sumNumericState) add(v []types.Value) error {
	x := v[0].(*apd.Decimal)
	if s.sum == nil {
		s.sum = x
		return nil
	}
	r, err := types.AddNumeric(s.sum, x)
	if err != nil {
		return err
	}
	s.sum = r
	return nil
}

func (s *sumNumericState) result() (types.Value, error) {
	if s.sum == nil {
		return nil, nil
	}
	return s.sum, nil
}

type sumFloatState struct {
	single bool
	sum    float64
	any    bool
}

func (s *sumFloatState) add(v []types.Value) error {
	x := v[0].(float64)
	r := s.sum + x
	if s.single {
		r = float64(float32(r))
	}
	if math.IsInf(r, 0) && !math.IsInf(s.sum, 0) && !math.IsInf(x, 0) {
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
	}
	s.sum, s.any = r, true
	return nil
}

func (s *sumFloatState) result() (types.Value, error) {
	if !s.any {
		return nil, nil
	}
	return s.sum, nil
}

type avgNumericState struct {
	sum sumNumericState
	n   int64
}

func (s *avgNumericState) add(v []types.Value) error {
	x := v[0]
	if i, ok := x.(int64); ok {
		x = types.NumericFromInt(i)
	}
	s.n++
	return s.sum.add([]types.Value{x})
}

func (s *avgNumericState) result() (types.Value, error) {
	if s.n == 0 {
		return nil, nil
	}
	return types.DivNumeric(s.sum.sum, types.NumericFromInt(s.n))
}

type avgFloatState struct {
	sum float64
	n   int64
}

func (s *avgFloatState) add(v []types.Value) error {
	s.sum += v[0].(float64)
	s.n++
	if math.IsInf(s.sum, 0) && !math.IsInf(v[0].(float64), 0) {
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
	}
	return nil
}

func (s *avgFloatState) result() (types.Value, error) {
	if s.n == 0 {
		return nil, nil
	}
	return s.sum / float64(s.n), nil
}

type extremeState struct {
	t    types.T
	sign int
	best types.Value
}

func (s *extremeState) add(v []types.Value) error {
	if s.best == nil || types.Compare(v[0], s.best, s.t)*s.sign > 0 {
		s.best = v[0]
	}
	return nil
}

func (s *extremeState) result() (types.Value, error) { return s.best, nil }

type boolState struct {
	and      bool
	any, acc bool
}

func (s *boolState) add(v []types.Value) error {
	b := v[0].(bool)
	if !s.any {
		s.acc, s.any = b, true
		return nil
	}
	if s.and {
		s.acc = s.acc && b
	} else {
		s.acc = s.acc || b
	}
	return nil
}

func (s *boolState) result() (types.Value, error) {
	if !s.any {
		return nil, nil
	}
	return s.acc, nil
}

type stringAggState struct {
	bytes bool
	buf   []byte
	any   bool
}

func (s *stringAggState) add(v []types.Value) error {
	if s.any && v[1] != nil {
		switch sep := v[1].(type) {
		case string:
			s.buf = append(s.buf, sep...)
		case []byte:
			s.buf = append(s.buf, sep...)
		}
	}
	s.any = true
	switch x := v[0].(type) {
	case string:
		s.buf = append(s.buf, x...)
	case []byte:
		s.buf = append(s.buf, x...)
	}
	return nil
}

func (s *stringAggState) result() (types.Value, error) {
	if !s.any {
		return nil, nil
	}
	if s.bytes {
		return append([]byte(nil), s.buf...), nil
	}
	return string(s.buf), nil
}
