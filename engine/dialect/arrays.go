package dialect

// Arrays. Chronos has no array type, but the catalog queries of psql and
// other tools build and test arrays: ARRAY(SELECT ...) collects a column
// into an array, x = ANY (array) tests membership. Both become calls the
// engine's catalog support evaluates over the text form of arrays
// ("{a,b}"):
//
//	ARRAY(SELECT ...)   chronos_array((SELECT ...))
//	x = ANY (expr)      chronos_any_eq(x, expr)   (expr not a subquery)
//	x[i]                chronos_subscript(x, i)

// arraySubquery rewrites ARRAY(subquery), with in[i] the word ARRAY and
// in[i+1] its opening parenthesis.
func (r *rewriter) arraySubquery(in []token, i int) (int, error) {
	c := matchClose(in, i+1)
	if c < 0 {
		return 0, r.syntaxError(in, len(in))
	}
	inner, err := r.sub(in[i+1 : c+1])
	if err != nil {
		return 0, err
	}
	t := in[i]
	fn := raw("chronos_array", t)
	fn.space = t.space
	r.out = append(r.out, fn, punct("(", t))
	r.out = append(r.out, inner...)
	r.out = append(r.out, punct(")", in[c]))
	return c + 1, nil
}

// isArraySubquery reports whether in[i] starts ARRAY(SELECT ...).
func isArraySubquery(in []token, i int) bool {
	return i+2 < len(in) && in[i].is("array") && in[i+1].isPunct("(") &&
		(in[i+2].is("select") || in[i+2].is("with") || in[i+2].is("values"))
}

// isAnyArray reports whether the "=" at in[i] is followed by ANY or SOME
// applied to an expression rather than a subquery.
func isAnyArray(in []token, i int) bool {
	if i+3 >= len(in) || !(in[i+1].is("any") || in[i+1].is("some")) || !in[i+2].isPunct("(") {
		return false
	}
	n := in[i+3]
	return !(n.is("select") || n.is("with") || n.is("values") || n.isPunct("("))
}

// anyArray rewrites left = ANY (expr), with in[i] the "=".
func (r *rewriter) anyArray(in []token, i int) (int, error) {
	t := in[i]
	s := backOperand(r.out, len(r.out), otherOps)
	if s < 0 {
		return 0, r.syntaxError(in, i)
	}
	c := matchClose(in, i+2)
	if c < 0 {
		return 0, r.syntaxError(in, len(in))
	}
	right, err := r.sub(in[i+3 : c])
	if err != nil {
		return 0, err
	}
	if err := r.charge(len(r.out)-s, t); err != nil {
		return 0, err
	}
	fn := raw("chronos_any_eq", t)
	fn.space = r.out[s].space
	r.wrap(s, fn, punct("(", t))
	r.out = append(r.out, punct(",", t))
	if len(right) > 0 {
		right[0].space = true
	}
	r.out = append(r.out, right...)
	r.out = append(r.out, punct(")", t))
	return c + 1, nil
}

// subscript rewrites x[i] into chronos_subscript(x, i), with in[i] the
// "[". Slices (x[1:2]) are not supported.
func (r *rewriter) subscript(in []token, i int) (int, error) {
	t := in[i]
	s := backPrimary(r.out, len(r.out))
	if s < 0 {
		return 0, r.syntaxError(in, i)
	}
	c := matchClose(in, i)
	if c < 0 {
		return 0, r.syntaxError(in, len(in))
	}
	idx, err := r.sub(in[i+1 : c])
	if err != nil {
		return 0, err
	}
	if err := r.charge(len(r.out)-s, t); err != nil {
		return 0, err
	}
	fn := raw("chronos_subscript", t)
	fn.space = r.out[s].space
	r.wrap(s, fn, punct("(", t))
	r.out = append(r.out, punct(",", t))
	if len(idx) > 0 {
		idx[0].space = true
	}
	r.out = append(r.out, idx...)
	r.out = append(r.out, punct(")", t))
	return c + 1, nil
}
