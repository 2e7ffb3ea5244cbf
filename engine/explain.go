package engine

import (
	"fmt"
	"strings"
)

// explainer renders a plan tree as PostgreSQL's EXPLAIN text: one line per
// node, its details indented below it, children introduced by "->".
type explainer struct {
	lines []string
	// indent is where the current node's title starts.
	indent int
	// pending are details a transparent parent (a filter) adds to the next
	// node written.
	pending []string
}

// node writes one node with its details and then its children. A node's
// title starts at column indent (after "->  " for all but the root), its
// details two columns further, and its children six columns further.
func (e *explainer) node(title string, details []string, children ...planNode) {
	if len(e.lines) == 0 {
		e.lines = append(e.lines, title)
	} else {
		e.lines = append(e.lines, strings.Repeat(" ", e.indent-4)+"->  "+title)
	}
	details = append(details, e.pending...)
	e.pending = nil
	for _, d := range details {
		e.lines = append(e.lines, strings.Repeat(" ", e.indent+2)+d)
	}
	saved := e.indent
	for _, c := range children {
		e.indent = saved + 6
		c.explain(e)
	}
	e.indent = saved
}

func (n *scanNode) explain(e *explainer) {
	on := n.def.Name
	if n.alias != "" && n.alias != n.def.Name {
		on += " " + n.alias
	}
	var details []string
	title := "Seq Scan on " + on
	if n.path != nil {
		title = fmt.Sprintf("Index Scan using %s on %s", n.path.name, on)
		if len(n.path.condText) > 0 {
			details = append(details, "Index Cond: "+condText(strings.Join(n.path.condText, " AND ")))
		} else if len(n.path.conds) > 0 {
			details = append(details, "Index Cond: "+condText(andExprs(n.path.conds).String()))
		}
	}
	if n.filter != nil {
		details = append(details, "Filter: "+condText(n.filter.String()))
	}
	e.node(title, details)
}

// condText wraps a condition in parentheses as PostgreSQL prints them.
func condText(s string) string {
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") && balanced(s[1:len(s)-1]) {
		return s
	}
	return "(" + s + ")"
}

// balanced reports whether s's parentheses pair up.
func balanced(s string) bool {
	depth := 0
	for _, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

func (n *filterNode) explain(e *explainer) {
	e.pending = append(e.pending, "Filter: "+condText(n.cond.String()))
	n.input.explain(e)
}

func (n *projectNode) explain(e *explainer) { n.input.explain(e) }

func (n *trimNode) explain(e *explainer) { n.input.explain(e) }

func (n *permuteNode) explain(e *explainer) { n.input.explain(e) }

func (n *convertNode) explain(e *explainer) { n.input.explain(e) }

func (n *renameNode) explain(e *explainer) {
	alias := ""
	if len(n.cols) > 0 {
		alias = n.cols[0].table
	}
	if alias == "" {
		n.input.explain(e)
		return
	}
	e.node("Subquery Scan on "+alias, nil, n.input)
}

func (n *valuesNode) explain(e *explainer) {
	if len(n.rows) == 1 && len(n.rows[0]) == 0 {
		e.node("Result", nil)
		return
	}
	e.node("Values Scan", nil)
}

func (n *limitNode) explain(e *explainer) { e.node("Limit", nil, n.input) }

func (n *distinctNode) explain(e *explainer) { e.node("Unique", nil, n.input) }

func (n *sortNode) explain(e *explainer) {
	cols := n.input.columns()
	var keys []string
	for _, k := range n.keys {
		s := cols[k.col].name
		if k.desc {
			s += " DESC"
		}
		if k.nullsFirst != k.desc {
			if k.nullsFirst {
				s += " NULLS FIRST"
			} else {
				s += " NULLS LAST"
			}
		}
		keys = append(keys, s)
	}
	e.node("Sort", []string{"Sort Key: " + strings.Join(keys, ", ")}, n.input)
}

func (n *aggNode) explain(e *explainer) {
	if len(n.keys) == 0 {
		e.node("Aggregate", nil, n.input)
		return
	}
	var keys []string
	for _, k := range n.keys {
		keys = append(keys, k.String())
	}
	e.node("HashAggregate", []string{"Group Key: " + strings.Join(keys, ", ")}, n.input)
}

func (n *joinNode) explain(e *explainer) {
	kind := ""
	if n.kind != innerJoin {
		kind = " " + n.kind.String() + " Join"
	}
	var details []string
	title := "Nested Loop" + kind
	if len(n.leftKeys) > 0 {
		title = "Hash Join"
		if kind != "" {
			title = "Hash" + kind
		}
		var conds []string
		for i := range n.leftKeys {
			conds = append(conds, fmt.Sprintf("(%s = %s)", n.leftKeys[i].String(), n.rightKeys[i].String()))
		}
		details = append(details, "Hash Cond: "+strings.Join(conds, " AND "))
	}
	if n.cond != nil {
		details = append(details, "Join Filter: "+condText(n.cond.String()))
	}
	e.node(title, details, n.left, n.right)
}

func (n *setOpNode) explain(e *explainer) {
	switch {
	case n.kind == setUnion && n.all:
		e.node("Append", nil, n.left, n.right)
	case n.kind == setUnion:
		e.node("HashAggregate", nil, &appendExplain{n.left, n.right})
	default:
		title := "HashSetOp " + n.kind.String()
		if n.all {
			title += " All"
		}
		e.node(title, nil, n.left, n.right)
	}
}

// appendExplain shows the Append under a UNION's duplicate removal.
type appendExplain struct{ left, right planNode }

func (a *appendExplain) columns() []colInfo                    { return a.left.columns() }
func (a *appendExplain) run(st *execState, emit rowFunc) error { return nil }
func (a *appendExplain) explain(e *explainer)                  { e.node("Append", nil, a.left, a.right) }
