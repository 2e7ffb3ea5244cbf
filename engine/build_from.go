package engine

import (
	"github.com/chronos-db/chronos/engine/expr"
	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/storage"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// The FROM clause is planned in two passes. The first (collectFrom) turns
// the AST into a tree of joins whose leaves are tables, views and derived
// tables, with every leaf's columns known. The second (buildRegion) plans
// each region of inner and cross joins: the WHERE conjuncts are split by
// the leaves they mention, conditions on one leaf go into its scan (where
// they can pick an index), equalities between leaves become hash-join keys,
// and the rest filter the join where all their leaves are present. Outer
// joins and joins with USING are built as one item of the region around
// them.

// joinKind is the kind of a join node.
type joinKind int

const (
	innerJoin joinKind = iota
	leftJoin
	rightJoin
	fullJoin
)

func (k joinKind) String() string {
	switch k {
	case leftJoin:
		return "Left"
	case rightJoin:
		return "Right"
	case fullJoin:
		return "Full"
	}
	return "Inner"
}

// fromTree is one node of the FROM clause: a leaf or a join.
type fromTree struct {
	cols []colInfo
	// leaf:
	table  *storage.Table // a base table, or nil
	alias  string
	source planNode // a derived table or view, when table is nil
	// join:
	kind        joinKind
	left, right *fromTree
	on          ast.ExprNode
	// using pairs the merged columns of USING or NATURAL: left index,
	// right index (within each side's columns).
	using [][2]int
	// opaque joins (outer joins, USING) are planned as one region item.
	opaque bool
}

func (t *fromTree) isLeaf() bool { return t.left == nil }

// buildFrom plans a FROM clause together with the WHERE condition. q is
// the query's scope (its cols are filled in by the caller from the
// result).
func (b *builder) buildFrom(q *scope, from *ast.Join, where ast.ExprNode) (planNode, []colInfo, error) {
	tree, err := b.collectFrom(q, from)
	if err != nil {
		return nil, nil, err
	}
	q.cols = tree.cols
	node, err := b.buildRegion(q, tree, splitAnd(where, nil))
	if err != nil {
		return nil, nil, err
	}
	return node, tree.cols, nil
}

// collectFrom builds the join tree of a FROM item.
func (b *builder) collectFrom(q *scope, n ast.ResultSetNode) (*fromTree, error) {
	switch x := n.(type) {
	case *ast.Join:
		if x.Right == nil {
			return b.collectFrom(q, x.Left)
		}
		if x.StraightJoin {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "STRAIGHT_JOIN is not supported")
		}
		left, err := b.collectFrom(q, x.Left)
		if err != nil {
			return nil, err
		}
		right, err := b.collectFrom(q, x.Right)
		if err != nil {
			return nil, err
		}
		t := &fromTree{left: left, right: right}
		switch x.Tp {
		case ast.LeftJoin:
			t.kind = leftJoin
			t.opaque = true
		case ast.RightJoin:
			t.kind = rightJoin
			t.opaque = true
		default:
			t.kind = innerJoin
		}
		if x.On != nil {
			t.on = x.On.Expr
		}
		t.cols = append(append([]colInfo{}, left.cols...), right.cols...)
		if len(x.Using) > 0 || x.NaturalJoin {
			if err := resolveUsing(t, x); err != nil {
				return nil, err
			}
			t.opaque = true
		}
		return t, nil
	case *ast.TableSource:
		return b.collectSource(q, x)
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "unsupported FROM item %T", n)
}

// collectSource resolves one table, view or derived table.
func (b *builder) collectSource(q *scope, ts *ast.TableSource) (*fromTree, error) {
	if ts.Lateral {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "LATERAL is not supported")
	}
	alias := ts.AsName.O
	switch src := ts.Source.(type) {
	case *ast.TableName:
		if cte := b.lookupCTE(src); cte != nil {
			return b.collectCTE(q, cte, alias, ts.ColumnNames)
		}
		node := b.systemView(src)
		if node == nil {
			node = b.catalogTable(src)
		}
		if node != nil {
			if alias == "" {
				alias = src.Name.O
			}
			return derivedTree(node, alias, ts.ColumnNames)
		}
		if t, err := b.table(src); err == nil {
			if alias == "" {
				alias = src.Name.O
			}
			def := t.Def()
			tree := &fromTree{table: t, alias: alias}
			for i, c := range def.Columns {
				tree.cols = append(tree.cols, colInfo{name: c.Name, table: alias, typ: c.Type, tableOID: def.OID, attNum: int16(i + 1)})
			}
			if err := renameColumns(tree.cols, ts.ColumnNames, alias); err != nil {
				return nil, err
			}
			return tree, nil
		} else if v, ok := lookupView(b.snap, src.Name.O); ok && checkSchema(src) == nil {
			if alias == "" {
				alias = src.Name.O
			}
			return b.collectView(v, alias, ts.ColumnNames)
		} else {
			return nil, err
		}
	case *ast.SelectStmt, *ast.SetOprStmt:
		node, err := b.buildQuery(q.parent, q.sub, src)
		if err != nil {
			return nil, err
		}
		return derivedTree(node, alias, ts.ColumnNames)
	case *ast.Join:
		// A parenthesised join; an alias on it is not supported.
		return b.collectFrom(q, src)
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "unsupported FROM item %T", ts.Source)
}

// derivedTree wraps a planned subquery as a FROM leaf.
func derivedTree(node planNode, alias string, names []ast.CIStr) (*fromTree, error) {
	tree := &fromTree{source: node, alias: alias}
	for _, c := range node.columns() {
		if c.hidden {
			continue
		}
		tree.cols = append(tree.cols, colInfo{name: c.name, table: alias, typ: c.typ})
	}
	if err := renameColumns(tree.cols, names, alias); err != nil {
		return nil, err
	}
	return tree, nil
}

// renameColumns applies an alias column list: AS t(a, b).
func renameColumns(cols []colInfo, names []ast.CIStr, alias string) error {
	if len(names) > len(cols) {
		return sqlerr.New(sqlerr.InvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified", alias, len(cols), len(names))
	}
	for i, n := range names {
		cols[i].name = n.O
	}
	return nil
}

// collectView plans a view's query as a derived table.
func (b *builder) collectView(v *storage.ViewDef, alias string, names []ast.CIStr) (*fromTree, error) {
	if b.viewDepth > 32 {
		return nil, sqlerr.New(sqlerr.InvalidRecursion, "infinite recursion detected in rules for relation \"%s\"", v.Name)
	}
	b.deps.addView(v)
	q, err := parseViewQuery(v)
	if err != nil {
		return nil, err
	}
	b.viewDepth++
	savedCTEs := b.ctes
	b.ctes = nil
	node, err := b.buildQuery(nil, nil, q)
	b.ctes = savedCTEs
	b.viewDepth--
	if err != nil {
		return nil, err
	}
	tree, err := derivedTree(node, alias, nil)
	if err != nil {
		return nil, err
	}
	for i, n := range v.Columns {
		if i < len(tree.cols) {
			tree.cols[i].name = n
		}
	}
	if err := renameColumns(tree.cols, names, alias); err != nil {
		return nil, err
	}
	return tree, nil
}

// resolveUsing pairs the columns of USING (...) or NATURAL and hides the
// copies the merged column does not show.
func resolveUsing(t *fromTree, j *ast.Join) error {
	var names []string
	if j.NaturalJoin {
		for _, lc := range t.left.cols {
			if lc.hidden {
				continue
			}
			for _, rc := range t.right.cols {
				if !rc.hidden && rc.name == lc.name {
					names = append(names, lc.name)
					break
				}
			}
		}
	} else {
		for _, u := range j.Using {
			names = append(names, u.Name.O)
		}
	}
	nl := len(t.left.cols)
	for _, name := range names {
		li := findVisible(t.left.cols, name)
		if li == -2 {
			return sqlerr.New(sqlerr.AmbiguousColumn, "common column name \"%s\" appears more than once in left table", name)
		}
		if li < 0 {
			return sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" specified in USING clause does not exist in left table", name)
		}
		ri := findVisible(t.right.cols, name)
		if ri == -2 {
			return sqlerr.New(sqlerr.AmbiguousColumn, "common column name \"%s\" appears more than once in right table", name)
		}
		if ri < 0 {
			return sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" specified in USING clause does not exist in right table", name)
		}
		t.using = append(t.using, [2]int{li, ri})
		if t.kind == rightJoin {
			t.cols[li].hidden = true
		} else {
			t.cols[nl+ri].hidden = true
		}
	}
	return nil
}

// findVisible returns the index of the visible column called name, -1
// when there is none and -2 when there are several.
func findVisible(cols []colInfo, name string) int {
	found := -1
	for i, c := range cols {
		if !c.hidden && sameName(c.name, name) {
			if found >= 0 {
				return -2
			}
			found = i
		}
	}
	return found
}

// regionItem is one operand of an inner-join region.
type regionItem struct {
	tree   *fromTree
	offset int // index of its first column in the region's row
	conds  []ast.ExprNode
}

// conjunct is one AND-ed condition with the region items it mentions.
type conjunct struct {
	node  ast.ExprNode
	items []int
	// late conjuncts (those holding subqueries) filter the whole region.
	late bool
	used bool
}

// buildRegion plans tree, flattening inner and cross joins into one
// region, with conds as extra conditions on it.
func (b *builder) buildRegion(q *scope, tree *fromTree, conds []ast.ExprNode) (planNode, error) {
	var items []*regionItem
	var flatten func(t *fromTree)
	flatten = func(t *fromTree) {
		if t.isLeaf() || t.opaque {
			off := 0
			if len(items) > 0 {
				last := items[len(items)-1]
				off = last.offset + len(last.tree.cols)
			}
			items = append(items, &regionItem{tree: t, offset: off})
			return
		}
		flatten(t.left)
		flatten(t.right)
		if t.on != nil {
			conds = splitAnd(t.on, conds)
		}
	}
	flatten(tree)
	rs := b.localScope(q, tree.cols)

	// Sort the conjuncts by the items they mention.
	var cjs []*conjunct
	for _, c := range conds {
		cj, err := b.analyzeConjunct(rs, c, items)
		if err != nil {
			return nil, err
		}
		cjs = append(cjs, cj)
	}
	for _, cj := range cjs {
		if cj.late {
			continue
		}
		switch len(cj.items) {
		case 0:
			items[0].conds = append(items[0].conds, cj.node)
			cj.used = true
		case 1:
			items[cj.items[0]].conds = append(items[cj.items[0]].conds, cj.node)
			cj.used = true
		}
	}

	// Plan the items, then join them in the order joinOrder picks.
	nodes := make([]planNode, len(items))
	for k, it := range items {
		n, err := b.buildItem(q, it)
		if err != nil {
			return nil, err
		}
		nodes[k] = n
	}
	order := b.joinOrder(items, cjs)
	pos := make([]int, len(items)) // item -> its place in order
	for i, k := range order {
		pos[k] = i
	}
	node := nodes[order[0]]
	acc := append([]colInfo{}, items[order[0]].tree.cols...)
	accEst := b.itemEstimate(items[order[0]])
	for i, k := range order[1:] {
		step := i + 1
		var stepConds []*conjunct
		for _, cj := range cjs {
			if cj.used || cj.late || len(cj.items) == 0 {
				continue
			}
			last := 0
			for _, it := range cj.items {
				last = max(last, pos[it])
			}
			if last == step {
				stepConds = append(stepConds, cj)
				cj.used = true
			}
		}
		rcols := items[k].tree.cols
		j, err := b.buildJoinStep(q, node, nodes[k], items[k], accEst, innerJoin, acc, rcols, stepConds, nil)
		if err != nil {
			return nil, err
		}
		node = j
		acc = append(acc, rcols...)
		accEst = joinEstimate(accEst, b.itemEstimate(items[k]), stepConds)
	}
	if !isIdentity(order) {
		node = reorderColumns(node, items, order, tree.cols)
	}
	var late []ast.ExprNode
	for _, cj := range cjs {
		if !cj.used {
			late = append(late, cj.node)
		}
	}
	if len(late) > 0 {
		f, err := b.compileWhere(rs, joinAnd(late), "WHERE")
		if err != nil {
			return nil, err
		}
		node = &filterNode{input: node, cond: f}
	}
	return node, nil
}

// joinOrder picks the order in which a region's items are joined: first
// the item expected to give the fewest rows (a primary key lookup, a
// filtered table, a small table), then again and again the cheapest item
// tied to those joined by an equality, and only when none is tied the
// cheapest of the rest (a cross join). Joining along equalities keeps
// intermediate results small; the FROM order decides ties.
func (b *builder) joinOrder(items []*regionItem, cjs []*conjunct) []int {
	n := len(items)
	if n <= 1 {
		return []int{0}
	}
	est := make([]float64, n)
	for k, it := range items {
		est[k] = b.itemEstimate(it)
	}
	tied := func(joined []bool, k int) bool {
		for _, cj := range cjs {
			if cj.late || len(cj.items) < 2 || !containsInt(cj.items, k) || !isEquality(cj.node) {
				continue
			}
			ok := true
			for _, it := range cj.items {
				if it != k && !joined[it] {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
		return false
	}
	joined := make([]bool, n)
	var order []int
	for len(order) < n {
		best, bestTied := -1, false
		for k := 0; k < n; k++ {
			if joined[k] {
				continue
			}
			t := len(order) > 0 && tied(joined, k)
			switch {
			case best < 0, t && !bestTied, t == bestTied && est[k] < est[best]:
				best, bestTied = k, t
			}
		}
		joined[best] = true
		order = append(order, best)
	}
	return order
}

// itemEstimate guesses how many rows a region item gives: a table's size,
// one for a lookup of a whole unique key by constants, a quarter of the
// table when other conditions filter it.
func (b *builder) itemEstimate(it *regionItem) float64 {
	t := it.tree.table
	if t == nil {
		return 1000
	}
	n := float64(t.Len())
	if len(it.conds) == 0 {
		return n
	}
	ls := &scope{cols: it.tree.cols}
	def := t.Def()
	for _, ix := range def.Indexes {
		if !ix.Unique {
			continue
		}
		covered := true
		for _, c := range ix.Columns {
			found := false
			for _, cand := range findCandidates(ls, it.conds) {
				if cand.col == c && cand.kind == candEq {
					found = true
					break
				}
			}
			if !found {
				covered = false
				break
			}
		}
		if covered {
			return 1
		}
	}
	return max(1, n/4)
}

// isEquality reports whether a condition is a = b.
func isEquality(e ast.ExprNode) bool {
	be, ok := unparen(e).(*ast.BinaryOperationExpr)
	return ok && be.Op == opcode.EQ
}

func isIdentity(order []int) bool {
	for i, k := range order {
		if i != k {
			return false
		}
	}
	return true
}

// reorderColumns puts the columns of rows joined in order back into the
// FROM clause's order, which the rest of the query's expressions expect.
func reorderColumns(node planNode, items []*regionItem, order []int, cols []colInfo) planNode {
	// start[k] is where item k's columns begin in the joined rows.
	start := make([]int, len(items))
	at := 0
	for _, k := range order {
		start[k] = at
		at += len(items[k].tree.cols)
	}
	p := &permuteNode{input: node, cols: cols, from: make([]int, 0, len(cols))}
	for k, it := range items {
		for i := range it.tree.cols {
			p.from = append(p.from, start[k]+i)
		}
	}
	return p
}

// localScope is a scope over cols that shares q's enclosing scopes: the
// scope conditions are compiled in when they run below the full FROM row.
func (b *builder) localScope(q *scope, cols []colInfo) *scope {
	return &scope{cols: cols, parent: q.parent, sub: q.sub, qualify: q.manyTables()}
}

// analyzeConjunct finds the region items a condition mentions.
func (b *builder) analyzeConjunct(rs *scope, c ast.ExprNode, items []*regionItem) (*conjunct, error) {
	cj := &conjunct{node: c}
	v := &refCollector{s: rs}
	c.Accept(v)
	if v.err != nil {
		return nil, v.err
	}
	if v.subquery || v.aggregate {
		cj.late = true
		return cj, nil
	}
	for _, idx := range v.cols {
		for k, it := range items {
			if idx >= it.offset && idx < it.offset+len(it.tree.cols) {
				if !containsInt(cj.items, k) {
					cj.items = append(cj.items, k)
				}
			}
		}
	}
	return cj, nil
}

// buildItem plans one region item with its own conditions.
func (b *builder) buildItem(q *scope, it *regionItem) (planNode, error) {
	t := it.tree
	ls := b.localScope(q, t.cols)
	switch {
	case t.table != nil:
		return b.buildScan(ls, t, it.conds)
	case t.source != nil:
		var node planNode = &renameNode{input: t.source, cols: t.cols}
		if len(it.conds) > 0 {
			f, err := b.compileWhere(ls, joinAnd(it.conds), "WHERE")
			if err != nil {
				return nil, err
			}
			node = &filterNode{input: node, cond: f}
		}
		return node, nil
	}
	node, rest, err := b.buildOpaqueJoin(q, t, it.conds)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		f, err := b.compileWhere(ls, joinAnd(rest), "WHERE")
		if err != nil {
			return nil, err
		}
		node = &filterNode{input: node, cond: f}
	}
	return node, nil
}

// buildOpaqueJoin plans an outer join or a join with USING: each side as
// its own region, the ON condition on the join.
// where holds WHERE conditions on the join's columns alone: those on the
// preserved side filter it before the join (both sides for an inner join),
// the others are returned to filter the join's result.
func (b *builder) buildOpaqueJoin(q *scope, t *fromTree, where []ast.ExprNode) (planNode, []ast.ExprNode, error) {
	on := splitAnd(t.on, nil)
	// Conditions of a LEFT JOIN's ON that mention only the right side
	// filter the right side before joining (and the mirror for RIGHT).
	var leftConds, rightConds, joinConds, rest []ast.ExprNode
	js := b.localScope(q, t.cols)
	nl := len(t.left.cols)
	items := []*regionItem{{tree: t.left}, {tree: t.right, offset: nl}}
	for _, c := range where {
		cj, err := b.analyzeConjunct(js, c, items)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case !cj.late && len(cj.items) == 1 && cj.items[0] == 0 && t.kind != rightJoin:
			leftConds = append(leftConds, c)
		case !cj.late && len(cj.items) == 1 && cj.items[0] == 1 && t.kind != leftJoin:
			rightConds = append(rightConds, c)
		default:
			rest = append(rest, c)
		}
	}
	for _, c := range on {
		cj, err := b.analyzeConjunct(js, c, items)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case !cj.late && len(cj.items) == 1 && cj.items[0] == 1 && t.kind != rightJoin:
			rightConds = append(rightConds, c)
		case !cj.late && len(cj.items) == 1 && cj.items[0] == 0 && t.kind == rightJoin:
			leftConds = append(leftConds, c)
		default:
			joinConds = append(joinConds, c)
		}
	}
	left, err := b.buildRegion(q, t.left, leftConds)
	if err != nil {
		return nil, nil, err
	}
	right, err := b.buildRegion(q, t.right, rightConds)
	if err != nil {
		return nil, nil, err
	}
	var cjs []*conjunct
	for _, c := range joinConds {
		cj, err := b.analyzeConjunct(js, c, items)
		if err != nil {
			return nil, nil, err
		}
		cjs = append(cjs, cj)
	}
	var rightItem *regionItem
	if t.right.isLeaf() && t.right.table != nil {
		rightItem = &regionItem{tree: t.right, conds: rightConds}
	}
	leftEst := float64(1000)
	if t.left.isLeaf() && t.left.table != nil {
		leftEst = b.itemEstimate(&regionItem{tree: t.left, conds: leftConds})
	}
	node, err := b.buildJoinStep(q, left, right, rightItem, leftEst, t.kind, t.cols[:nl], t.cols[nl:], cjs, t.using)
	return node, rest, err
}

// joinEstimate guesses the rows of a join: with an equality between the
// sides, about as many as the larger side; otherwise the product.
func joinEstimate(left, right float64, conds []*conjunct) float64 {
	for _, cj := range conds {
		if isEquality(cj.node) {
			return max(left, right)
		}
	}
	return left * right
}

// buildJoinStep joins left and right with the given conditions: equalities
// between the sides with hashable types become hash keys, the rest a
// condition on the joined row.
func (b *builder) buildJoinStep(q *scope, left, right planNode, rightItem *regionItem, leftEst float64, kind joinKind, lcols, rcols []colInfo, conds []*conjunct, using [][2]int) (planNode, error) {
	if rightItem != nil && rightItem.tree.table != nil && (kind == innerJoin || kind == leftJoin) && len(using) == 0 {
		n, ok, err := b.lookupJoin(q, left, rightItem, leftEst, kind, lcols, rcols, conds)
		if err != nil {
			return nil, err
		}
		if ok {
			return n, nil
		}
	}
	j := &joinNode{left: left, right: right, kind: kind, leftWidth: len(lcols), rightWidth: len(rcols)}
	ls := b.localScope(q, lcols)
	rs := b.localScope(q, rcols)
	all := append(append([]colInfo{}, lcols...), rcols...)
	js := b.localScope(q, all)
	for _, u := range using {
		lt, rt := lcols[u[0]].typ, rcols[u[1]].typ
		kt, ok := hashKeyType(lt, rt)
		if !ok {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s = %s", lt.String(), rt.String())
		}
		j.leftKeys = append(j.leftKeys, keyCast(expr.Column(u[0], lt, lcols[u[0]].name), kt))
		j.rightKeys = append(j.rightKeys, keyCast(expr.Column(u[1], rt, rcols[u[1]].name), kt))
		j.keyTypes = append(j.keyTypes, kt)
	}
	var rest []ast.ExprNode
	items := []*regionItem{{tree: &fromTree{cols: lcols}}, {tree: &fromTree{cols: rcols}, offset: len(lcols)}}
	for _, cj := range conds {
		if l, r, ok := b.hashKey(js, ls, rs, cj.node, items); ok {
			kt, _ := hashKeyType(l.Type(), r.Type())
			j.leftKeys = append(j.leftKeys, keyCast(l, kt))
			j.rightKeys = append(j.rightKeys, keyCast(r, kt))
			j.keyTypes = append(j.keyTypes, kt)
			continue
		}
		rest = append(rest, cj.node)
	}
	if len(rest) > 0 {
		f, err := b.compileWhere(js, joinAnd(rest), "JOIN/ON")
		if err != nil {
			return nil, err
		}
		j.cond = f
	}
	j.cols = all
	return j, nil
}

// keyCast converts a hash key to its key type, except where the key
// encoding is already the same (integers of any width, strings of the
// text kinds).
func keyCast(e expr.Expr, kt types.T) expr.Expr {
	t := e.Type()
	if (t.IsInteger() && kt.IsInteger()) || (kt.OID == types.OIDText && t.IsString() && t.OID != types.OIDBPChar) {
		return e
	}
	return castExpr(e, kt)
}

// hashKey recognises left = right with each side mentioning only one side
// of the join, compiled in that side's scope.
func (b *builder) hashKey(js, ls, rs *scope, c ast.ExprNode, items []*regionItem) (expr.Expr, expr.Expr, bool) {
	be, ok := unparen(c).(*ast.BinaryOperationExpr)
	if !ok || be.Op != opcode.EQ {
		return nil, nil, false
	}
	side := func(e ast.ExprNode) int {
		cj, err := b.analyzeConjunct(js, e, items)
		if err != nil || cj.late || len(cj.items) != 1 {
			return -1
		}
		return cj.items[0]
	}
	sl, sr := side(be.L), side(be.R)
	var le, re ast.ExprNode
	switch {
	case sl == 0 && sr == 1:
		le, re = be.L, be.R
	case sl == 1 && sr == 0:
		le, re = be.R, be.L
	default:
		return nil, nil, false
	}
	l, err := b.compile(ls, le)
	if err != nil {
		return nil, nil, false
	}
	r, err := b.compile(rs, re)
	if err != nil {
		return nil, nil, false
	}
	if _, ok := hashKeyType(l.Type(), r.Type()); !ok {
		return nil, nil, false
	}
	return l, r, true
}

// splitAnd appends the AND-ed parts of e to out.
func splitAnd(e ast.ExprNode, out []ast.ExprNode) []ast.ExprNode {
	if e == nil {
		return out
	}
	if be, ok := e.(*ast.BinaryOperationExpr); ok && (be.Op == opcode.LogicAnd) {
		out = splitAnd(be.L, out)
		return splitAnd(be.R, out)
	}
	if p, ok := e.(*ast.ParenthesesExpr); ok {
		if be, ok := p.Expr.(*ast.BinaryOperationExpr); ok && be.Op == opcode.LogicAnd {
			return splitAnd(be, out)
		}
	}
	return append(out, e)
}

// joinAnd combines conditions with AND.
func joinAnd(cs []ast.ExprNode) ast.ExprNode {
	e := cs[0]
	for _, c := range cs[1:] {
		e = &ast.BinaryOperationExpr{Op: opcode.LogicAnd, L: e, R: c}
	}
	return e
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func maxInt(xs []int) int {
	m := xs[0]
	for _, x := range xs[1:] {
		if x > m {
			m = x
		}
	}
	return m
}

// refCollector finds the columns of scope s an expression mentions, and
// whether it holds subqueries or aggregates.
type refCollector struct {
	s         *scope
	cols      []int
	subquery  bool
	aggregate bool
	err       error
}

func (v *refCollector) Enter(n ast.Node) (ast.Node, bool) {
	switch x := n.(type) {
	case *ast.SubqueryExpr, *ast.ExistsSubqueryExpr, *ast.CompareSubqueryExpr:
		v.subquery = true
		return n, true
	case *ast.ColumnNameExpr:
		idx, err := v.s.lookup(x.Name)
		if err != nil && v.err == nil {
			v.err = err
		}
		if idx >= 0 {
			v.cols = append(v.cols, idx)
		}
		return n, true
	case *ast.AggregateFuncExpr, *ast.WindowFuncExpr:
		v.aggregate = true
	case *ast.FuncCallExpr:
		if isAggregateCall(x) {
			v.aggregate = true
		}
	}
	return n, false
}

func (v *refCollector) Leave(n ast.Node) (ast.Node, bool) { return n, true }
