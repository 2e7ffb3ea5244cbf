package engine

import (
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// setOpKind is UNION, INTERSECT or EXCEPT.
type setOpKind int

const (
	setUnion setOpKind = iota
	setIntersect
	setExcept
)

func (k setOpKind) String() string {
	switch k {
	case setIntersect:
		return "Intersect"
	case setExcept:
		return "Except"
	}
	return "Union"
}

// buildSetOp plans UNION / INTERSECT / EXCEPT with its ORDER BY and LIMIT.
func (b *builder) buildSetOp(parent *scope, sub *subqueryPlan, n *ast.SetOprStmt) (planNode, error) {
	if n.With != nil {
		if err := b.pushWith(parent, n.With); err != nil {
			return nil, err
		}
		defer b.popWith()
	}
	return b.buildSetOpList(parent, sub, n.SelectList, n.OrderBy, n.Limit)
}

// setOperand is one operand with the operator before it.
type setOperand struct {
	node planNode
	op   *ast.SetOprType
}

// buildSetOpList plans a list of operands joined by set operators,
// INTERSECT binding tighter than UNION and EXCEPT, as in PostgreSQL.
func (b *builder) buildSetOpList(parent *scope, sub *subqueryPlan, list *ast.SetOprSelectList, order *ast.OrderByClause, limit *ast.Limit) (planNode, error) {
	if list.With != nil {
		if err := b.pushWith(parent, list.With); err != nil {
			return nil, err
		}
		defer b.popWith()
	}
	var ops []setOperand
	for _, s := range list.Selects {
		var node planNode
		var err error
		var op *ast.SetOprType
		switch x := s.(type) {
		case *ast.SelectStmt:
			node, err = b.buildSelect(parent, sub, x)
			op = x.AfterSetOperator
		case *ast.SetOprSelectList:
			node, err = b.buildSetOpList(parent, sub, x, x.OrderBy, x.Limit)
			op = x.AfterSetOperator
		default:
			err = sqlerr.New(sqlerr.FeatureNotSupported, "unsupported set operand %T", s)
		}
		if err != nil {
			return nil, err
		}
		ops = append(ops, setOperand{node: node, op: op})
	}
	// INTERSECT first.
	var reduced []setOperand
	for _, o := range ops {
		if len(reduced) > 0 && o.op != nil && (*o.op == ast.Intersect || *o.op == ast.IntersectAll) {
			last := &reduced[len(reduced)-1]
			node, err := makeSetOp(last.node, o.node, *o.op)
			if err != nil {
				return nil, err
			}
			last.node = node
			continue
		}
		reduced = append(reduced, o)
	}
	node := reduced[0].node
	for _, o := range reduced[1:] {
		var err error
		node, err = makeSetOp(node, o.node, *o.op)
		if err != nil {
			return nil, err
		}
	}
	if order == nil && list.OrderBy != nil && limit == nil {
		order = list.OrderBy
	}
	if limit == nil {
		limit = list.Limit
	}
	if order != nil {
		var keys []sortKey
		cols := node.columns()
		for _, it := range order.Items {
			col := -1
			switch x := unparen(it.Expr).(type) {
			case *ast.PositionExpr:
				if x.N < 1 || x.N > len(cols) {
					return nil, sqlerr.New(sqlerr.InvalidColumnReference, "ORDER BY position %d is not in select list", x.N)
				}
				col = x.N - 1
			case *ast.ColumnNameExpr:
				if x.Name.Table.O == "" {
					for i, c := range cols {
						if sameName(c.name, x.Name.Name.O) {
							col = i
							break
						}
					}
				}
				if col < 0 {
					return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" does not exist", x.Name.Name.O)
				}
			default:
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "invalid UNION/INTERSECT/EXCEPT ORDER BY clause").
					WithDetail("Only result column names can be used, not expressions or functions.")
			}
			keys = append(keys, makeSortKey(col, it))
		}
		node = &sortNode{input: node, keys: keys}
	}
	return b.buildLimit(node, limit)
}

// makeSetOp combines two operands, converting both to common column types.
func makeSetOp(left, right planNode, op ast.SetOprType) (planNode, error) {
	lc, rc := left.columns(), right.columns()
	name := "UNION"
	n := &setOpNode{}
	switch op {
	case ast.Union:
		n.kind = setUnion
	case ast.UnionAll:
		n.kind, n.all = setUnion, true
	case ast.Intersect:
		n.kind, name = setIntersect, "INTERSECT"
	case ast.IntersectAll:
		n.kind, n.all, name = setIntersect, true, "INTERSECT"
	case ast.Except:
		n.kind, name = setExcept, "EXCEPT"
	case ast.ExceptAll:
		n.kind, n.all, name = setExcept, true, "EXCEPT"
	}
	if len(lc) != len(rc) {
		return nil, sqlerr.New(sqlerr.SyntaxError, "each %s query must have the same number of columns", name)
	}
	ts := make([]types.T, len(lc))
	for i := range lc {
		t, err := commonType([]types.T{lc[i].typ, rc[i].typ}, name)
		if err != nil {
			return nil, err
		}
		ts[i] = t
		n.cols = append(n.cols, colInfo{name: lc[i].name, typ: t})
	}
	n.left = convertTo(left, ts)
	n.right = convertTo(right, ts)
	return n, nil
}
