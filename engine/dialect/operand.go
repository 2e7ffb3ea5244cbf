package dialect

import (
	"strings"
)

// isWord reports whether t is an identifier-like token: a name or a
// generated word.
func isWord(t token) bool {
	switch t.kind {
	case tkIdent, tkQIdent:
		return true
	case tkRaw:
		return t.val != "" && isIdentStart(t.val[0]) && !strings.Contains(t.val, " ")
	}
	return false
}

// isName reports whether t can be (part of) a column or function name.
func isName(t token) bool {
	switch t.kind {
	case tkQIdent:
		return true
	case tkIdent, tkRaw:
		return isWord(t) && !nonOperand[t.val]
	}
	return false
}

// isFuncName reports whether t, followed by "(", names a function.
func isFuncName(t token) bool { return isName(t) || t.is("left") || t.is("right") }

// endsOperand reports whether an operand can end with t.
func endsOperand(t token) bool {
	switch t.kind {
	case tkString, tkNumber, tkParam:
		return true
	case tkPunct:
		return t.val == ")" || t.val == "]"
	}
	return isName(t) || t.is("end")
}

// backPrimary returns the index in out where the primary expression ending
// at out[end-1] starts: a literal, parameter, (qualified) name, function
// call, parenthesised expression or CASE; -1 if there is none.
func backPrimary(out []token, end int) int {
	if end <= 0 {
		return -1
	}
	t := out[end-1]
	switch {
	case t.isPunct(")"):
		j := matchOpen(out, end-1, "(", ")")
		if j < 0 {
			return -1
		}
		if j > 0 && isFuncName(out[j-1]) {
			return backQualified(out, j-1)
		}
		return j
	case t.isPunct("]"):
		j := matchOpen(out, end-1, "[", "]")
		if j < 0 {
			return -1
		}
		return backPrimary(out, j)
	case t.is("end"):
		depth := 0
		for k := end - 1; k >= 0; k-- {
			if out[k].is("end") {
				depth++
			} else if out[k].is("case") {
				depth--
				if depth == 0 {
					return k
				}
			}
		}
		return -1
	case t.kind == tkString || t.kind == tkNumber || t.kind == tkParam:
		return end - 1
	case isName(t):
		return backQualified(out, end-1)
	}
	return -1
}

// backQualified extends the name at out[s] back over "schema." prefixes.
func backQualified(out []token, s int) int {
	for s >= 2 && out[s-1].isPunct(".") && isName(out[s-2]) {
		s -= 2
	}
	return s
}

// backOperand returns where the operand ending at out[end-1] starts: a
// primary, extended back over unary signs and over binary operators in ops.
func backOperand(out []token, end int, ops map[string]bool) int {
	s := backPrimary(out, end)
	for s > 0 {
		p := out[s-1]
		if p.kind != tkOp {
			break
		}
		binary := s >= 2 && endsOperand(out[s-2])
		if !binary && (p.val == "-" || p.val == "+") {
			s--
			continue
		}
		if !binary || !ops[p.val] {
			break
		}
		q := backPrimary(out, s-1)
		if q < 0 {
			break
		}
		s = q
	}
	return s
}

// matchOpen returns the index of the open bracket matching the close
// bracket at out[k], or -1.
func matchOpen(out []token, k int, open, close string) int {
	depth := 0
	for ; k >= 0; k-- {
		if out[k].isPunct(close) {
			depth++
		} else if out[k].isPunct(open) {
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

// matchClose returns the index of the bracket closing the one at in[k], or
// -1.
func matchClose(in []token, k int) int {
	if k >= len(in) {
		return -1
	}
	open := in[k].val
	close := ")"
	if open == "[" {
		close = "]"
	}
	depth := 0
	for ; k < len(in); k++ {
		if in[k].isPunct(open) {
			depth++
		} else if in[k].isPunct(close) {
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

// fwdPrimary returns the index after the primary expression starting at
// in[i] (after any unary signs), with its postfix casts, subscripts,
// COLLATE and AT TIME ZONE; -1 if there is none.
func fwdPrimary(in []token, i int) int {
	for i < len(in) && (in[i].isOp("-") || in[i].isOp("+")) {
		i++
	}
	if i >= len(in) {
		return -1
	}
	t := in[i]
	j := -1
	switch {
	case t.isPunct("("):
		if c := matchClose(in, i); c >= 0 {
			j = c + 1
		}
	case t.is("case"):
		depth := 0
		for k := i; k < len(in); k++ {
			if in[k].is("case") {
				depth++
			} else if in[k].is("end") {
				depth--
				if depth == 0 {
					j = k + 1
					break
				}
			}
		}
	case t.kind == tkString || t.kind == tkNumber || t.kind == tkParam:
		j = i + 1
	case t.is("cast") || t.is("exists") || t.is("array") || t.is("left") || t.is("right"):
		if i+1 < len(in) && (in[i+1].isPunct("(") || in[i+1].isPunct("[")) {
			if c := matchClose(in, i+1); c >= 0 {
				j = c + 1
			}
		}
	case isName(t) || t.kind == tkRaw:
		if t.kind == tkIdent && typeStartWords[t.val] {
			if tn, n, ok := parseTypeName(in, i); ok && n < len(in) && in[n].kind == tkString {
				j = n + 1
				if tn.base == "interval" && tn.fields == "" {
					j = parseIntervalFields(in, j, &tn)
				}
				break
			}
		}
		j = i + 1
		for j+1 < len(in) && in[j].isPunct(".") && (isName(in[j+1]) || in[j+1].isOp("*")) {
			j += 2
		}
		if j < len(in) && in[j].isPunct("(") {
			if c := matchClose(in, j); c >= 0 {
				j = c + 1
			} else {
				j = -1
			}
		}
	}
	for j > 0 && j < len(in) {
		switch {
		case in[j].isPunct("::"):
			_, n, ok := parseTypeName(in, j+1)
			if !ok {
				return j
			}
			j = n
		case in[j].isPunct("["):
			c := matchClose(in, j)
			if c < 0 {
				return j
			}
			j = c + 1
		case in[j].is("collate") && j+1 < len(in) && in[j+1].name() != "":
			j += 2
			if j+1 < len(in) && in[j].isPunct(".") && in[j+1].name() != "" {
				j += 2
			}
		case in[j].is("at") && j+2 < len(in) && in[j+1].is("time") && in[j+2].is("zone"):
			e := fwdPrimary(in, j+3)
			if e < 0 {
				return j
			}
			j = e
		default:
			return j
		}
	}
	return j
}

// fwdOperand returns the index after the operand starting at in[i]: a
// primary, extended over binary operators in ops; -1 if there is none.
func fwdOperand(in []token, i int, ops map[string]bool) int {
	j := fwdPrimary(in, i)
	for j > 0 && j < len(in) && in[j].kind == tkOp && ops[in[j].val] {
		k := fwdPrimary(in, j+1)
		if k < 0 {
			return j
		}
		j = k
	}
	return j
}
