package expr

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/chronos-db/chronos/engine/sqlerr"
	"github.com/chronos-db/chronos/engine/types"
	"github.com/cockroachdb/apd/v3"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// stmtTime is the statement's start time, truncated to microseconds.
func stmtTime(ctx *Context) time.Time {
	if ctx == nil || ctx.Now.IsZero() {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return ctx.Now.UTC().Truncate(time.Microsecond)
}

func init() {
	now := overload{args: nil, ret: types.Timestamptz, fn: func(ctx *Context, _ []types.Value) (types.Value, error) {
		return stmtTime(ctx), nil
	}}
	for _, name := range []string{"now", "current_timestamp", "transaction_timestamp", "statement_timestamp"} {
		register(name, now)
	}
	register("clock_timestamp", overload{args: nil, ret: types.Timestamptz, volatile: true, fn: func(*Context, []types.Value) (types.Value, error) {
		return time.Now().UTC().Truncate(time.Microsecond), nil
	}})
	register("current_date", overload{args: nil, ret: types.Date, fn: func(ctx *Context, _ []types.Value) (types.Value, error) {
		return types.DateOf(stmtTime(ctx)), nil
	}})
	register("localtimestamp", overload{args: nil, ret: types.Timestamp, fn: func(ctx *Context, _ []types.Value) (types.Value, error) {
		return stmtTime(ctx), nil
	}})
	// current_timestamp(p) and localtimestamp(p) round to p digits.
	for name, t := range map[string]types.T{"current_timestamp": types.Timestamptz, "localtimestamp": types.Timestamp} {
		register(name, overload{args: []types.T{types.Int4}, ret: t, fn: func(ctx *Context, a []types.Value) (types.Value, error) {
			p := a[0].(int64)
			if p < 0 {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "TIMESTAMP(%d) precision must not be negative", p)
			}
			return types.Cast(stmtTime(ctx), t, types.T{OID: t.OID, Mod: int32(min(p, 6))}, true)
		}})
	}
	for _, t := range []types.T{types.Timestamp, types.Timestamptz} {
		register("date_trunc", overload{args: []types.T{types.Text, t}, ret: t, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return dateTrunc(a[0].(string), a[1].(time.Time))
		}})
	}
	for _, t := range []types.T{types.Timestamp, types.Timestamptz, types.Date} {
		register("date_part", overload{args: []types.T{types.Text, t}, ret: types.Float8, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			d, err := extractField(a[0].(string), a[1].(time.Time), t)
			if err != nil {
				return nil, err
			}
			f, _ := types.NumericToFloat(d)
			return f, nil
		}})
		register("extract", overload{args: []types.T{types.Text, t}, ret: types.Numeric, fn: func(_ *Context, a []types.Value) (types.Value, error) {
			return extractField(a[0].(string), a[1].(time.Time), t)
		}})
	}
	register("make_date", overload{args: []types.T{types.Int4, types.Int4, types.Int4}, ret: types.Date, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		y, m, d := a[0].(int64), a[1].(int64), a[2].(int64)
		if y == 0 || m < 1 || m > 12 || d < 1 || d > 31 {
			return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", y, m, d)
		}
		if y < 0 {
			y++
		}
		t := time.Date(int(y), time.Month(m), int(d), 0, 0, 0, 0, time.UTC)
		if t.Day() != int(d) {
			return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", a[0].(int64), m, d)
		}
		return t, nil
	}})
	register("to_timestamp", overload{args: []types.T{types.Float8}, ret: types.Timestamptz, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		f := a[0].(float64)
		switch {
		case math.IsInf(f, 1):
			return types.InfinityTime, nil
		case math.IsInf(f, -1):
			return types.NegInfinityTime, nil
		case math.IsNaN(f) || math.Abs(f) > 9.2e12:
			return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", types.FormatFloat(f, 64))
		}
		us := math.Round(f * 1e6)
		return time.UnixMicro(int64(us)).UTC(), nil
	}})
}

// extract compiles EXTRACT(field FROM x), which the parser gives as
// extract(TimeUnitExpr, x).
func (c *compiler) extract(f *ast.FuncCallExpr) (Expr, error) {
	if len(f.Args) != 2 {
		return nil, undefinedFunction("extract", nil)
	}
	var field Expr
	if u, ok := f.Args[0].(*ast.TimeUnitExpr); ok {
		field = Const(strings.ToLower(u.Unit.String()), types.Text)
	} else {
		var err error
		if field, err = c.compile(f.Args[0]); err != nil {
			return nil, err
		}
	}
	x, err := c.compile(f.Args[1])
	if err != nil {
		return nil, err
	}
	return c.callBuiltin("extract", "extract", []Expr{field, x})
}

func dateTrunc(field string, t time.Time) (types.Value, error) {
	if t.Equal(types.InfinityTime) || t.Equal(types.NegInfinityTime) {
		return t, nil
	}
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	ns := t.Nanosecond()
	switch strings.ToLower(field) {
	case "microseconds", "microsecond", "us":
		return t, nil
	case "milliseconds", "millisecond", "ms":
		return time.Date(y, mo, d, h, mi, s, ns/1e6*1e6, time.UTC), nil
	case "second", "seconds", "s", "sec":
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC), nil
	case "minute", "minutes", "m", "min":
		return time.Date(y, mo, d, h, mi, 0, 0, time.UTC), nil
	case "hour", "hours", "h":
		return time.Date(y, mo, d, h, 0, 0, 0, time.UTC), nil
	case "day", "days", "d":
		return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC), nil
	case "week", "weeks", "w":
		wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
		return time.Date(y, mo, d-wd, 0, 0, 0, 0, time.UTC), nil
	case "month", "months", "mon":
		return time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC), nil
	case "quarter":
		return time.Date(y, (mo-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC), nil
	case "year", "years", "y":
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), nil
	case "decade":
		return time.Date(floorDivInt(y, 10)*10, 1, 1, 0, 0, 0, 0, time.UTC), nil
	case "century":
		c := century(y)
		if c > 0 {
			return time.Date((c-1)*100+1, 1, 1, 0, 0, 0, 0, time.UTC), nil
		}
		return time.Date(c*100+1, 1, 1, 0, 0, 0, 0, time.UTC), nil
	case "millennium":
		m := millennium(y)
		if m > 0 {
			return time.Date((m-1)*1000+1, 1, 1, 0, 0, 0, 0, time.UTC), nil
		}
		return time.Date(m*1000+1, 1, 1, 0, 0, 0, 0, time.UTC), nil
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "unit \"%s\" not supported for type timestamp without time zone", field)
}

func floorDivInt(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// century uses PostgreSQL's numbering: year 1 BC (Go year 0) is in
// century -1.
func century(y int) int {
	if y > 0 {
		return (y + 99) / 100
	}
	return -((99 - (y - 1)) / 100)
}

func millennium(y int) int {
	if y > 0 {
		return (y + 999) / 1000
	}
	return -((999 - (y - 1)) / 1000)
}

// extractField is EXTRACT's numeric result.
func extractField(field string, t time.Time, typ types.T) (*apd.Decimal, error) {
	f := strings.ToLower(field)
	if t.Equal(types.InfinityTime) || t.Equal(types.NegInfinityTime) {
		switch f {
		case "epoch", "year", "isoyear", "decade", "century", "millennium", "julian":
			inf := &apd.Decimal{Form: apd.Infinite, Negative: t.Equal(types.NegInfinityTime)}
			return inf, nil
		}
		return nil, nil
	}
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	us := int64(t.Nanosecond() / 1000)
	isDate := typ.OID == types.OIDDate
	intD := func(v int64) (*apd.Decimal, error) { return apd.New(v, 0), nil }
	if isDate {
		switch f {
		case "hour", "minute", "second", "milliseconds", "microseconds", "timezone", "timezone_hour", "timezone_minute":
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "unit \"%s\" not supported for type date", field)
		}
	}
	displayYear := func() int64 {
		if y <= 0 {
			return int64(y) - 1
		}
		return int64(y)
	}
	switch f {
	case "microseconds", "microsecond", "us":
		return intD(int64(s)*1_000_000 + us)
	case "milliseconds", "millisecond", "ms":
		return apd.New(int64(s)*1_000_000+us, -3), nil
	case "second", "seconds", "s", "sec":
		return apd.New(int64(s)*1_000_000+us, -6), nil
	case "minute", "minutes", "m", "min":
		return intD(int64(mi))
	case "hour", "hours", "h":
		return intD(int64(h))
	case "day", "days", "d":
		return intD(int64(d))
	case "month", "months", "mon":
		return intD(int64(mo))
	case "quarter":
		return intD(int64((mo-1)/3 + 1))
	case "year", "years", "y":
		return intD(displayYear())
	case "decade":
		return intD(int64(floorDivInt(y, 10)))
	case "century":
		return intD(int64(century(y)))
	case "millennium":
		return intD(int64(millennium(y)))
	case "dow":
		return intD(int64(t.Weekday()))
	case "isodow":
		wd := int64(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return intD(wd)
	case "doy":
		return intD(int64(t.YearDay()))
	case "week":
		_, w := t.ISOWeek()
		return intD(int64(w))
	case "isoyear":
		iy, _ := t.ISOWeek()
		return intD(int64(iy))
	case "epoch":
		if isDate {
			return intD(t.Unix())
		}
		return apd.New(t.UnixMicro(), -6), nil
	case "julian":
		jd := int64(t.Sub(time.Date(-4713, 11, 24, 0, 0, 0, 0, time.UTC)).Hours()/24) + 0
		return intD(jd)
	case "timezone", "timezone_hour", "timezone_minute":
		if typ.OID == types.OIDTimestamptz {
			return intD(0)
		}
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "unit \"%s\" not supported for type %s", field, typ)
}

// pgVersion is what version() returns.
const pgVersion = "PostgreSQL 15.0 (Chronos) on x86_64-pc-linux-gnu, compiled by Go, 64-bit"

func sessionUser(ctx *Context) string {
	if ctx != nil && ctx.Session != nil {
		if u := ctx.Session.User(); u != "" {
			return u
		}
	}
	return "chronos"
}

func init() {
	register("version", overload{args: nil, ret: types.Text, fn: func(*Context, []types.Value) (types.Value, error) {
		return pgVersion, nil
	}})
	user := overload{args: nil, ret: types.Name, fn: func(ctx *Context, _ []types.Value) (types.Value, error) {
		return sessionUser(ctx), nil
	}}
	for _, name := range []string{"current_user", "session_user", "user", "current_role"} {
		register(name, user)
	}
	db := overload{args: nil, ret: types.Name, fn: func(ctx *Context, _ []types.Value) (types.Value, error) {
		if ctx != nil && ctx.Session != nil {
			if d := ctx.Session.Database(); d != "" {
				return d, nil
			}
		}
		return "chronos", nil
	}}
	register("current_database", db)
	register("current_catalog", db)
	register("current_schema", overload{args: nil, ret: types.Name, fn: func(*Context, []types.Value) (types.Value, error) {
		return "public", nil
	}})
	setting := func(ctx *Context, name string, missingOK bool) (types.Value, error) {
		if ctx != nil && ctx.Session != nil {
			if v, ok := ctx.Session.Setting(strings.ToLower(name)); ok {
				return v, nil
			}
		}
		if missingOK {
			return nil, nil
		}
		return nil, sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", name)
	}
	register("current_setting",
		overload{args: []types.T{types.Text}, ret: types.Text, fn: func(ctx *Context, a []types.Value) (types.Value, error) {
			return setting(ctx, a[0].(string), false)
		}},
		overload{args: []types.T{types.Text, types.Bool}, ret: types.Text, fn: func(ctx *Context, a []types.Value) (types.Value, error) {
			return setting(ctx, a[0].(string), a[1].(bool))
		}},
	)
	register("pg_backend_pid", overload{args: nil, ret: types.Int4, fn: func(ctx *Context, _ []types.Value) (types.Value, error) {
		if ctx != nil && ctx.Session != nil {
			if v, ok := ctx.Session.Setting("pg_backend_pid"); ok {
				if n, err := strconv.ParseInt(v, 10, 32); err == nil {
					return n, nil
				}
			}
		}
		return int64(0), nil
	}})
	register("format_type", overload{args: []types.T{types.Oid, types.Int4}, ret: types.Text, lazy: true, fn: func(_ *Context, a []types.Value) (types.Value, error) {
		if a[0] == nil {
			return nil, nil
		}
		t := types.T{OID: types.OID(a[0].(int64)), Mod: -1}
		if a[1] != nil {
			t.Mod = int32(a[1].(int64))
		} else if t.OID == types.OIDBPChar {
			return "character", nil
		}
		return t.String(), nil
	}})
	count := func(nulls bool) func(*Context, []types.Value) (types.Value, error) {
		return func(_ *Context, a []types.Value) (types.Value, error) {
			n := int64(0)
			for _, v := range a {
				if (v == nil) == nulls {
					n++
				}
			}
			return n, nil
		}
	}
	register("num_nulls", overload{args: []types.T{anyType}, variadic: true, ret: types.Int4, lazy: true, fn: count(true)})
	register("num_nonnulls", overload{args: []types.T{anyType}, variadic: true, ret: types.Int4, lazy: true, fn: count(false)})
}
