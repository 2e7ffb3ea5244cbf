package engine

import (
	"math"
	"sort"

	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/cockroachdb/apd/v3"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// Index selection. The conditions on one table are examined for
// comparisons of an indexed column with a value that does not depend on
// the table's rows (a constant, a parameter, a column of an enclosing
// query): col = v, col < v (and the other ranges, either way round), col
// BETWEEN a AND b, col IN (a, b, ...). For every index, equalities on a
// prefix of its columns, followed by an IN list or a range on the next
// column, describe the rows to visit. The index visiting the fewest rows
// by a simple score wins: all columns of a unique index equal (one row),
// then the longest equality prefix, then IN lists and ranges. A
// condition the index answers exactly is not evaluated again; one whose
// value has to be converted inexactly (an integer column compared with
// 2.5) stays in the filter and the index range is widened to be safe.

// keyPart is one indexed column's comparison value.
type keyPart struct {
	// e computes the value; it reads no column of the scanned table.
	e expr.Expr
	// col is the column's type, to which the value is converted.
	col types.T
}

// rangeEnd is one end of a range on an indexed column.
type rangeEnd struct {
	keyPart
	inclusive bool
}

// accessPath is how a scan visits a table through an index.
type accessPath struct {
	index int
	name  string
	// eq holds equality values for the first len(eq) index columns.
	eq []keyPart
	// in holds the IN-list values for the next column (nil when none).
	in []keyPart
	// lo and hi bound the next column (when in is nil).
	lo, hi *rangeEnd
	// point is set when eq covers every column of a unique index.
	point bool
	// conds are the conditions the path answers, for EXPLAIN.
	conds []expr.Expr
	// condText replaces conds in EXPLAIN when set (lookup joins).
	condText []string
}

// candidate is a condition usable for an index: column col compared with
// a row-independent value.
type candidate struct {
	cond  int // index into the scan's conditions
	col   int
	kind  candKind
	vals  []ast.ExprNode
	exact bool
	// hiIncl/loIncl for ranges (BETWEEN sets both).
	op opcode.Op
}

type candKind int

const (
	candEq candKind = iota
	candRange
	candBetween
	candIn
)

// findCandidates extracts the index-usable comparisons from conds, all
// compiled in scope ls (the table's own columns).
func findCandidates(ls *scope, conds []ast.ExprNode) []candidate {
	var out []candidate
	colOf := func(e ast.ExprNode) (int, bool) {
		cn, ok := unparen(e).(*ast.ColumnNameExpr)
		if !ok {
			return -1, false
		}
		idx, err := ls.lookup(cn.Name)
		if err != nil || idx < 0 {
			return -1, false
		}
		return idx, true
	}
	independent := func(e ast.ExprNode) bool {
		v := &refCollector{s: ls}
		e.Accept(v)
		return v.err == nil && !v.subquery && !v.aggregate && len(v.cols) == 0
	}
	for i, c := range conds {
		switch x := unparen(c).(type) {
		case *ast.BinaryOperationExpr:
			op := x.Op
			switch op {
			case opcode.EQ, opcode.LT, opcode.LE, opcode.GT, opcode.GE:
			default:
				continue
			}
			if col, ok := colOf(x.L); ok && independent(x.R) {
				out = append(out, candidate{cond: i, col: col, kind: kindOf(op), vals: []ast.ExprNode{x.R}, op: op})
			} else if col, ok := colOf(x.R); ok && independent(x.L) {
				out = append(out, candidate{cond: i, col: col, kind: kindOf(op), vals: []ast.ExprNode{x.L}, op: flipOp(op)})
			}
		case *ast.BetweenExpr:
			if x.Not {
				continue
			}
			if col, ok := colOf(x.Expr); ok && independent(x.Left) && independent(x.Right) {
				out = append(out, candidate{cond: i, col: col, kind: candBetween, vals: []ast.ExprNode{x.Left, x.Right}})
			}
		case *ast.PatternInExpr:
			if x.Not || x.Sel != nil || len(x.List) == 0 {
				continue
			}
			col, ok := colOf(x.Expr)
			if !ok {
				continue
			}
			all := true
			for _, e := range x.List {
				if !independent(e) {
					all = false
					break
				}
			}
			if all {
				out = append(out, candidate{cond: i, col: col, kind: candIn, vals: x.List})
			}
		}
	}
	return out
}

func kindOf(op opcode.Op) candKind {
	if op == opcode.EQ {
		return candEq
	}
	return candRange
}

// flipOp turns v op col into col op' v.
func flipOp(op opcode.Op) opcode.Op {
	switch op {
	case opcode.LT:
		return opcode.GT
	case opcode.LE:
		return opcode.GE
	case opcode.GT:
		return opcode.LT
	case opcode.GE:
		return opcode.LE
	}
	return op
}

// keyCompat says whether a value of type from can be looked up in an
// index column of type col, and whether the comparison is then exactly
// the index order (otherwise the condition stays in the filter).
func keyCompat(col, from types.T) (usable, exact bool) {
	switch {
	case from.IsUnknown():
		return true, true
	case col.IsInteger():
		if from.IsInteger() {
			return true, true
		}
		return from.IsFloat() || from.OID == types.OIDNumeric, false
	case col.OID == types.OIDFloat8:
		return from.IsInteger() || from.IsFloat() || from.OID == types.OIDNumeric, true
	case col.OID == types.OIDFloat4:
		if from.IsInteger() || from.OID == types.OIDFloat4 {
			return true, true
		}
		return from.IsFloat() || from.OID == types.OIDNumeric, false
	case col.OID == types.OIDNumeric:
		return from.IsInteger() || from.OID == types.OIDNumeric, true
	case col.OID == types.OIDBPChar:
		return from.OID == types.OIDBPChar, true
	case col.IsString():
		return from.IsString() && from.OID != types.OIDBPChar, true
	}
	return col.OID == from.OID, true
}

// chooseAccessPath picks the best index for the conditions, or returns
// nil for a sequential scan. compiled holds the compiled conditions;
// consumed is set for the conditions the path answers exactly.
func (b *builder) chooseAccessPath(ls *scope, def *storage.TableDef, conds []ast.ExprNode, compiled []expr.Expr, consumed []bool) (*accessPath, error) {
	cands := findCandidates(ls, conds)
	if len(cands) == 0 {
		return nil, nil
	}
	// Compile each candidate's values once.
	type compiledCand struct {
		candidate
		vals  []keyPart
		ok    bool
		exact bool
	}
	ccs := make([]compiledCand, len(cands))
	for i, c := range cands {
		cc := compiledCand{candidate: c, ok: true, exact: true}
		colType := def.Columns[c.col].Type
		for _, v := range c.vals {
			e, err := b.compile(ls, v)
			if err != nil {
				cc.ok = false
				break
			}
			if e.Type().IsUnknown() {
				if e, err = b.compileAs(ls, v, colType); err != nil {
					cc.ok = false
					break
				}
			}
			usable, exact := keyCompat(colType, e.Type())
			if !usable {
				cc.ok = false
				break
			}
			cc.exact = cc.exact && exact
			cc.vals = append(cc.vals, keyPart{e: e, col: colType})
		}
		ccs[i] = cc
	}
	best := (*accessPath)(nil)
	bestScore := 0
	var bestUsed []int
	var bestExact []bool
	for ixPos, ix := range def.Indexes {
		p := &accessPath{index: ixPos, name: ix.Name}
		var used []int
		var exact []bool
		score := 0
		for k, col := range ix.Columns {
			eq := -1
			for i, cc := range ccs {
				if cc.ok && cc.col == col && cc.kind == candEq {
					eq = i
					if cc.exact {
						break
					}
				}
			}
			if eq >= 0 {
				p.eq = append(p.eq, ccs[eq].vals[0])
				used = append(used, ccs[eq].cond)
				exact = append(exact, ccs[eq].exact)
				score += 10
				continue
			}
			// The next column: an IN list or a range.
			for i, cc := range ccs {
				if !cc.ok || cc.col != col || cc.kind != candIn {
					continue
				}
				p.in = cc.vals
				used = append(used, cc.cond)
				exact = append(exact, cc.exact)
				score += 6
				_ = i
				break
			}
			if p.in == nil {
				for _, cc := range ccs {
					if !cc.ok || cc.col != col {
						continue
					}
					switch cc.kind {
					case candBetween:
						if p.lo == nil && p.hi == nil {
							p.lo = &rangeEnd{keyPart: cc.vals[0], inclusive: true}
							p.hi = &rangeEnd{keyPart: cc.vals[1], inclusive: true}
							used = append(used, cc.cond)
							exact = append(exact, cc.exact)
						}
					case candRange:
						switch cc.op {
						case opcode.GT, opcode.GE:
							if p.lo == nil {
								p.lo = &rangeEnd{keyPart: cc.vals[0], inclusive: cc.op == opcode.GE}
								used = append(used, cc.cond)
								exact = append(exact, cc.exact)
							}
						case opcode.LT, opcode.LE:
							if p.hi == nil {
								p.hi = &rangeEnd{keyPart: cc.vals[0], inclusive: cc.op == opcode.LE}
								used = append(used, cc.cond)
								exact = append(exact, cc.exact)
							}
						}
					}
				}
				if p.lo != nil {
					score += 2
				}
				if p.hi != nil {
					score += 2
				}
			}
			_ = k
			break
		}
		if len(p.eq) == len(ix.Columns) && ix.Unique {
			p.point = true
			score = 1000
		}
		if score > bestScore {
			best, bestScore, bestUsed, bestExact = p, score, used, exact
		}
	}
	if best == nil {
		return nil, nil
	}
	for i, c := range bestUsed {
		best.conds = append(best.conds, compiled[c])
		if bestExact[i] {
			consumed[c] = true
		}
	}
	return best, nil
}

// keyOutcome says what converting a comparison value found.
type keyOutcome int

const (
	keyOK   keyOutcome = iota
	keyNone            // nothing can match (NULL, or 2.5 for an integer column)
	keyOpen            // the end is unbounded (a range past the type's limits)
)

// keyValue evaluates a key part and converts it to the column's type.
// mode is 0 for equality, -1 for a lower and +1 for an upper bound.
func (k keyPart) value(st *execState, row []types.Value, mode int) (types.Value, keyOutcome, error) {
	v, err := k.e.Eval(&st.ectx, row)
	if err != nil {
		return nil, keyNone, err
	}
	if v == nil {
		return nil, keyNone, nil
	}
	from := k.e.Type()
	switch {
	case k.col.IsInteger():
		switch x := v.(type) {
		case int64:
			return x, keyOK, nil
		case float64:
			return intKey(x, mode)
		case *apd.Decimal:
			f, err := types.NumericToFloat(x)
			if err != nil {
				return nil, keyNone, err
			}
			return intKey(f, mode)
		}
	case k.col.IsFloat():
		switch x := v.(type) {
		case int64:
			return float64(x), keyOK, nil
		case float64:
			return x, keyOK, nil
		case *apd.Decimal:
			f, err := types.NumericToFloat(x)
			if err != nil {
				return nil, keyNone, err
			}
			return f, keyOK, nil
		}
	case k.col.OID == types.OIDNumeric:
		if x, ok := v.(int64); ok {
			return types.NumericFromInt(x), keyOK, nil
		}
	}
	if from.IsUnknown() {
		cv, err := types.Cast(v, from, k.col, false)
		if err != nil {
			return nil, keyNone, err
		}
		return cv, keyOK, nil
	}
	return v, keyOK, nil
}

// intKey converts a float comparison value for an integer column. The
// range is widened to whole numbers; the filter keeps the exact test.
func intKey(f float64, mode int) (types.Value, keyOutcome, error) {
	switch {
	case math.IsNaN(f):
		if mode > 0 {
			return nil, keyOpen, nil // everything is below NaN
		}
		return nil, keyNone, nil
	case mode == 0:
		if f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
			return nil, keyNone, nil
		}
		return int64(f), keyOK, nil
	case mode < 0:
		f = math.Floor(f)
		if f >= math.MaxInt64 {
			return nil, keyNone, nil
		}
		if f < math.MinInt64 {
			return nil, keyOpen, nil
		}
		return int64(f), keyOK, nil
	default:
		f = math.Ceil(f)
		if f < math.MinInt64 {
			return nil, keyNone, nil
		}
		if f >= math.MaxInt64 {
			return nil, keyOpen, nil
		}
		return int64(f), keyOK, nil
	}
}

// scan visits the rows of t the path selects, in index order, calling fn
// until it returns false.
func (p *accessPath) scan(st *execState, t *storage.Table, fn func(*storage.Row) bool) error {
	return p.scanFor(st, t, nil, fn)
}

// scanFor is scan with the key values computed from row: the current row
// of the other side of a lookup join (nil for a plain scan).
func (p *accessPath) scanFor(st *execState, t *storage.Table, row []types.Value, fn func(*storage.Row) bool) error {
	prefix := make([]types.Value, 0, len(p.eq)+1)
	for _, k := range p.eq {
		v, out, err := k.value(st, row, 0)
		if err != nil {
			return err
		}
		if out != keyOK {
			return nil
		}
		prefix = append(prefix, v)
	}
	if p.point {
		if row, ok := t.Lookup(p.index, prefix); ok {
			fn(row)
		}
		return nil
	}
	if p.in != nil {
		typ := p.in[0].col
		var vals []types.Value
		for _, k := range p.in {
			v, out, err := k.value(st, row, 0)
			if err != nil {
				return err
			}
			if out == keyOK {
				vals = append(vals, v)
			}
		}
		sort.Slice(vals, func(i, j int) bool { return types.Compare(vals[i], vals[j], typ) < 0 })
		stopped := false
		wrapped := func(r *storage.Row) bool {
			if !fn(r) {
				stopped = true
				return false
			}
			return true
		}
		for i, v := range vals {
			if i > 0 && types.Compare(vals[i-1], v, typ) == 0 {
				continue
			}
			key := append(prefix[:len(prefix):len(prefix)], v)
			b := storage.Bound{Values: key, Inclusive: true}
			t.IndexScan(p.index, b, b, wrapped)
			if stopped {
				break
			}
		}
		return nil
	}
	lo := storage.Bound{Values: prefix, Inclusive: true}
	hi := storage.Bound{Values: prefix, Inclusive: true}
	if p.lo != nil {
		v, out, err := p.lo.value(st, row, -1)
		if err != nil {
			return err
		}
		switch out {
		case keyNone:
			return nil
		case keyOK:
			lo = storage.Bound{Values: append(prefix[:len(prefix):len(prefix)], v), Inclusive: p.lo.inclusive || p.widened(p.lo)}
		}
	}
	if p.hi != nil {
		v, out, err := p.hi.value(st, row, 1)
		if err != nil {
			return err
		}
		switch out {
		case keyNone:
			return nil
		case keyOK:
			hi = storage.Bound{Values: append(prefix[:len(prefix):len(prefix)], v), Inclusive: p.hi.inclusive || p.widened(p.hi)}
		case keyOpen:
			hi = storage.Bound{Values: append(prefix[:len(prefix):len(prefix)], nil), Inclusive: false}
		}
	} else if p.lo != nil {
		// No upper end: stop before the NULLs, which sort last.
		hi = storage.Bound{Values: append(prefix[:len(prefix):len(prefix)], nil), Inclusive: false}
	}
	t.IndexScan(p.index, lo, hi, fn)
	return nil
}

// widened reports whether a range end's value was rounded to a whole
// number (an integer column compared with a fractional value), in which
// case the end is made inclusive and the filter decides.
func (p *accessPath) widened(r *rangeEnd) bool {
	return r.col.IsInteger() && !r.e.Type().IsInteger()
}
