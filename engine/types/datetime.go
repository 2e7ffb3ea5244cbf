package types

import (
	"math"
	"strconv"
	"strings"
	"time"
	// Named zones in timestamptz input work without system tzdata.
	_ "time/tzdata"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// The infinite date and timestamp values, as PostgreSQL's DT_NOBEGIN and
// DT_NOEND: the extreme microsecond counts.
var (
	InfinityTime    = time.UnixMicro(math.MaxInt64).UTC()
	NegInfinityTime = time.UnixMicro(math.MinInt64).UTC()
)

// Date and timestamp limits PostgreSQL accepts: 4713 BC to 5874897 AD for
// dates, 294276 AD for timestamps. Go's year 0 is 1 BC.
var (
	minTimestamp = time.Date(-4713, 11, 24, 0, 0, 0, 0, time.UTC)
	maxTimestamp = time.Date(294277, 1, 1, 0, 0, 0, 0, time.UTC)
)

var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
	"aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
	"october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var dayNames = map[string]bool{
	"sun": true, "sunday": true, "mon": true, "monday": true, "tue": true, "tues": true,
	"tuesday": true, "wed": true, "wednesday": true, "thu": true, "thur": true, "thurs": true,
	"thursday": true, "fri": true, "friday": true, "sat": true, "saturday": true,
}

// dtParsed is the result of parsing date/time input.
type dtParsed struct {
	special  string // "infinity", "-infinity", "epoch", "now", "today", ...
	year     int
	month    int
	day      int
	hasDate  bool
	hasTime  bool
	hour     int
	minute   int
	second   int
	nanos    int
	hasZone  bool
	zoneSecs int // offset east of UTC
	zoneLoc  *time.Location
	bc       bool
}

// errDTSyntax and errDTRange build PostgreSQL's date/time input errors.
func errDTSyntax(t T, s string) error {
	name := t.Base().String()
	if t.OID == OIDTimestamp {
		name = "timestamp"
	}
	return sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid input syntax for type %s: \"%s\"", name, s)
}

// codeInvalidTimeZoneDisplacement is SQLSTATE 22009.
const codeInvalidTimeZoneDisplacement sqlerr.Code = "22009"

func errZoneRange(s string) error {
	return sqlerr.New(codeInvalidTimeZoneDisplacement, "time zone displacement out of range: \"%s\"", s)
}

func errDTRange(s string) error {
	return sqlerr.New(sqlerr.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
}

// parseDateTime parses the date/time forms Chronos accepts with DateStyle
// ISO, MDY: "2024-01-02", "2024-01-02 03:04:05.123456+02", ISO 8601 with T,
// "01/02/2024", "Jan 2 2024", "20240102", the special words, "BC"/"AD".
func parseDateTime(s string, t T) (dtParsed, error) {
	var p dtParsed
	in := strings.ToLower(strings.TrimSpace(s))
	switch in {
	case "infinity", "+infinity", "-infinity", "epoch", "now", "today", "tomorrow", "yesterday", "allballs":
		p.special = strings.TrimPrefix(in, "+")
		return p, nil
	case "":
		return p, errDTSyntax(t, s)
	}
	// Tokenize into words split by spaces, with ISO 'T' between date and time.
	fields := strings.Fields(strings.ReplaceAll(in, ",", " "))
	var expanded []string
	for _, f := range fields {
		// "2024-01-02t03:04:05" → date, time.
		if i := strings.IndexByte(f, 't'); i > 0 && i < len(f)-1 && f[i-1] >= '0' && f[i-1] <= '9' && f[i+1] >= '0' && f[i+1] <= '9' {
			expanded = append(expanded, f[:i], f[i+1:])
			continue
		}
		expanded = append(expanded, f)
	}
	var pendingNums []string // date parts seen as separate words ("jan 2 2024")
	monthWord := 0
	for idx := 0; idx < len(expanded); idx++ {
		f := expanded[idx]
		switch {
		case f == "bc":
			p.bc = true
		case f == "ad":
		case dayNames[f]:
		case f == "z" || f == "utc" || f == "gmt" || f == "zulu":
			p.hasZone, p.zoneSecs = true, 0
		case monthNames[f] != 0 && monthWord == 0:
			monthWord = monthNames[f]
		case (f[0] == '+' || f[0] == '-') && p.hasTime:
			secs, ok := parseOffset(f[1:])
			if !ok {
				if secs < 0 {
					return p, errZoneRange(s)
				}
				return p, errDTSyntax(t, s)
			}
			if f[0] == '-' {
				secs = -secs
			}
			p.hasZone, p.zoneSecs = true, secs
		case strings.Contains(f, ":"):
			if p.hasTime {
				return p, errDTSyntax(t, s)
			}
			if err := parseClock(f, &p, t, s); err != nil {
				return p, err
			}
		case strings.ContainsAny(f, "-/.") && !p.hasDate && f[0] >= '0' && f[0] <= '9' || (monthWord == 0 && strings.ContainsAny(f, "-/") && !p.hasDate):
			if err := parseDatePart(f, &p, t, s); err != nil {
				return p, err
			}
		case isDigits(f):
			if len(f) == 8 && !p.hasDate && monthWord == 0 && len(pendingNums) == 0 {
				p.year, _ = strconv.Atoi(f[:4])
				p.month, _ = strconv.Atoi(f[4:6])
				p.day, _ = strconv.Atoi(f[6:])
				p.hasDate = true
				continue
			}
			pendingNums = append(pendingNums, f)
		default:
			if f[0] >= 'a' && f[0] <= 'z' && p.hasTime && !p.hasZone {
				loc, err := time.LoadLocation(zoneName(expanded[idx]))
				if err == nil {
					p.hasZone, p.zoneLoc = true, loc
					continue
				}
			}
			return p, errDTSyntax(t, s)
		}
	}
	if monthWord != 0 {
		if p.hasDate || len(pendingNums) != 2 {
			return p, errDTSyntax(t, s)
		}
		a, _ := strconv.Atoi(pendingNums[0])
		b, _ := strconv.Atoi(pendingNums[1])
		p.month = monthWord
		if len(pendingNums[0]) >= 3 {
			p.year, p.day = a, b
		} else {
			p.day, p.year = a, b
			if len(pendingNums[1]) <= 2 {
				p.year = twoDigitYear(p.year)
			}
		}
		p.hasDate = true
	} else if len(pendingNums) > 0 {
		return p, errDTSyntax(t, s)
	}
	if !p.hasDate {
		return p, errDTSyntax(t, s)
	}
	if p.bc {
		if p.year <= 0 {
			return p, errDTRange(s)
		}
		p.year = 1 - p.year
	}
	if p.month < 1 || p.month > 12 || p.day < 1 || p.day > daysIn(p.year, p.month) {
		return p, errDTRange(s)
	}
	return p, nil
}

func zoneName(s string) string {
	// time.LoadLocation is case-sensitive; accept "europe/paris" and "America/New_York".
	parts := strings.Split(s, "/")
	for i, part := range parts {
		words := strings.Split(part, "_")
		for j, w := range words {
			if len(w) > 0 {
				words[j] = strings.ToUpper(w[:1]) + w[1:]
			}
		}
		parts[i] = strings.Join(words, "_")
	}
	return strings.Join(parts, "/")
}

func twoDigitYear(y int) int {
	if y < 70 {
		return y + 2000
	}
	if y < 100 {
		return y + 1900
	}
	return y
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseDatePart reads "2024-01-02", "01/02/2024", "2024/01/02", "2024.01.02",
// "jan-02-2024" and similar.
func parseDatePart(f string, p *dtParsed, t T, s string) error {
	sep := "-"
	switch {
	case strings.Contains(f, "/"):
		sep = "/"
	case strings.Contains(f, ".") && !strings.Contains(f, "-"):
		sep = "."
	}
	// A trailing zone like "2024-01-02-08" is not supported; neither is
	// anything with more than three parts.
	parts := strings.Split(f, sep)
	if len(parts) != 3 {
		return errDTSyntax(t, s)
	}
	var nums [3]int
	for i, part := range parts {
		if m := monthNames[part]; m != 0 {
			nums[i] = -m
			continue
		}
		if !isDigits(part) {
			return errDTSyntax(t, s)
		}
		nums[i], _ = strconv.Atoi(part)
	}
	switch {
	case nums[1] < 0: // 02-jan-2024 or 2024-jan-02
		p.month = -nums[1]
		if len(parts[0]) >= 3 {
			p.year, p.day = nums[0], nums[2]
		} else {
			p.day, p.year = nums[0], nums[2]
			if len(parts[2]) <= 2 {
				p.year = twoDigitYear(p.year)
			}
		}
	case nums[0] < 0: // jan-02-2024
		p.month, p.day, p.year = -nums[0], nums[1], nums[2]
	case len(parts[0]) >= 3: // Y-M-D
		p.year, p.month, p.day = nums[0], nums[1], nums[2]
	default: // MDY
		p.month, p.day, p.year = nums[0], nums[1], nums[2]
		if len(parts[2]) <= 2 {
			p.year = twoDigitYear(p.year)
		}
	}
	p.hasDate = true
	return nil
}

// parseClock reads "03:04", "03:04:05", "03:04:05.123456", optionally with a
// zone glued on ("03:04:05+02", "03:04:05z").
func parseClock(f string, p *dtParsed, t T, s string) error {
	zone := ""
	if i := strings.IndexAny(f, "+-z"); i > 0 {
		f, zone = f[:i], f[i:]
	}
	parts := strings.Split(f, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return errDTSyntax(t, s)
	}
	var err error
	if !isDigits(parts[0]) || !isDigits(parts[1]) {
		return errDTSyntax(t, s)
	}
	p.hour, _ = strconv.Atoi(parts[0])
	p.minute, _ = strconv.Atoi(parts[1])
	if len(parts) == 3 {
		sec := parts[2]
		frac := ""
		if i := strings.IndexByte(sec, '.'); i >= 0 {
			sec, frac = sec[:i], sec[i+1:]
			if !isDigits(frac) && frac != "" {
				return errDTSyntax(t, s)
			}
		}
		if !isDigits(sec) {
			return errDTSyntax(t, s)
		}
		p.second, _ = strconv.Atoi(sec)
		if frac != "" {
			// Round to microseconds as PostgreSQL does: rint of the
			// fraction read as a double.
			f, _ := strconv.ParseFloat("0."+frac, 64)
			p.nanos = int(math.RoundToEven(f*1e6)) * 1000
		}
	}
	if p.hour > 24 || p.minute > 59 || p.second > 60 || (p.hour == 24 && (p.minute > 0 || p.second > 0 || p.nanos > 0)) {
		return errDTRange(s)
	}
	p.hasTime = true
	if zone != "" {
		if zone == "z" {
			p.hasZone, p.zoneSecs = true, 0
			return err
		}
		secs, ok := parseOffset(zone[1:])
		if !ok {
			if secs < 0 {
				return errZoneRange(s)
			}
			return errDTSyntax(t, s)
		}
		if zone[0] == '-' {
			secs = -secs
		}
		p.hasZone, p.zoneSecs = true, secs
	}
	return err
}

// parseOffset reads "02", "0230", "02:30", "02:30:15" (after the sign).
// A well-formed offset beyond 15:59:59 returns -1, false.
func parseOffset(z string) (int, bool) {
	var h, m, sec int
	parts := strings.Split(z, ":")
	switch {
	case len(parts) == 1 && isDigits(z) && len(z) <= 2:
		h, _ = strconv.Atoi(z)
	case len(parts) == 1 && isDigits(z) && len(z) == 4:
		h, _ = strconv.Atoi(z[:2])
		m, _ = strconv.Atoi(z[2:])
	case len(parts) >= 2 && len(parts) <= 3:
		for _, part := range parts {
			if !isDigits(part) {
				return 0, false
			}
		}
		h, _ = strconv.Atoi(parts[0])
		m, _ = strconv.Atoi(parts[1])
		if len(parts) == 3 {
			sec, _ = strconv.Atoi(parts[2])
		}
	default:
		return 0, false
	}
	if h > 15 || m > 59 || sec > 59 {
		return -1, false
	}
	return h*3600 + m*60 + sec, true
}

// specialTime resolves the special input words relative to now.
func specialTime(word string, now time.Time) time.Time {
	midnight := func(d time.Time) time.Time {
		y, m, dd := d.Date()
		return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	}
	now = now.UTC()
	switch word {
	case "infinity":
		return InfinityTime
	case "-infinity":
		return NegInfinityTime
	case "epoch":
		return time.Unix(0, 0).UTC()
	case "today":
		return midnight(now)
	case "tomorrow":
		return midnight(now).AddDate(0, 0, 1)
	case "yesterday":
		return midnight(now).AddDate(0, 0, -1)
	}
	return now.Truncate(time.Microsecond)
}

// parseDate is date's input function.
func parseDate(s string) (time.Time, error) {
	p, err := parseDateTime(s, Date)
	if err != nil {
		return time.Time{}, err
	}
	if p.special != "" {
		if p.special == "allballs" {
			return time.Time{}, errDTSyntax(Date, s)
		}
		return specialTime(p.special, time.Now()), nil
	}
	d := time.Date(p.year, time.Month(p.month), p.day, 0, 0, 0, 0, time.UTC)
	if d.Before(minTimestamp) {
		return time.Time{}, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date out of range: \"%s\"", s)
	}
	return d, nil
}

// parseTimestamp is the input function of timestamp and timestamptz.
func parseTimestamp(s string, t T) (time.Time, error) {
	p, err := parseDateTime(s, t)
	if err != nil {
		return time.Time{}, err
	}
	if p.special != "" {
		if p.special == "allballs" {
			return time.Time{}, errDTSyntax(t, s)
		}
		return specialTime(p.special, time.Now()), nil
	}
	v := time.Date(p.year, time.Month(p.month), p.day, p.hour, p.minute, p.second, p.nanos, time.UTC)
	if t.OID == OIDTimestamptz && p.hasZone {
		if p.zoneLoc != nil {
			v = time.Date(p.year, time.Month(p.month), p.day, p.hour, p.minute, p.second, p.nanos, p.zoneLoc).UTC()
		} else {
			v = v.Add(-time.Duration(p.zoneSecs) * time.Second)
		}
	}
	if v.Before(minTimestamp) || !v.Before(maxTimestamp) {
		return time.Time{}, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	return roundTimestamp(v, t), nil
}

// roundTimestamp applies timestamp(p): rounds to p fractional digits.
func roundTimestamp(v time.Time, t T) time.Time {
	if v.Equal(InfinityTime) || v.Equal(NegInfinityTime) {
		return v
	}
	if t.Mod >= 0 && t.Mod < 6 {
		unit := time.Duration(math.Pow10(int(6-t.Mod))) * time.Microsecond
		return v.Round(unit)
	}
	return v
}

// appendYear writes a year as PostgreSQL does: at least four digits, BC
// years counted from 1.
func appendDate(b []byte, v time.Time) ([]byte, bool) {
	y, m, d := v.Date()
	bc := false
	if y <= 0 {
		y, bc = 1-y, true
	}
	b = appendPadded(b, y, 4)
	b = append(b, '-')
	b = appendPadded(b, int(m), 2)
	b = append(b, '-')
	b = appendPadded(b, d, 2)
	return b, bc
}

func appendPadded(b []byte, n, width int) []byte {
	s := strconv.Itoa(n)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// FormatDate is date's text output: "2024-01-02", "0044-03-15 BC".
func FormatDate(v time.Time) string {
	if s, ok := formatInfinity(v); ok {
		return s
	}
	b, bc := appendDate(make([]byte, 0, 16), v)
	if bc {
		b = append(b, " BC"...)
	}
	return string(b)
}

func formatInfinity(v time.Time) (string, bool) {
	if v.Equal(InfinityTime) {
		return "infinity", true
	}
	if v.Equal(NegInfinityTime) {
		return "-infinity", true
	}
	return "", false
}

// FormatTimestamp is the text output of timestamp (withZone false) and of
// timestamptz with TimeZone UTC (withZone true): "2024-01-02 03:04:05.5+00".
func FormatTimestamp(v time.Time, withZone bool) string {
	if s, ok := formatInfinity(v); ok {
		return s
	}
	v = v.UTC()
	b, bc := appendDate(make([]byte, 0, 32), v)
	b = append(b, ' ')
	b = appendPadded(b, v.Hour(), 2)
	b = append(b, ':')
	b = appendPadded(b, v.Minute(), 2)
	b = append(b, ':')
	b = appendPadded(b, v.Second(), 2)
	if us := v.Nanosecond() / 1000; us != 0 {
		frac := []byte(strconv.Itoa(us + 1000000))[1:]
		for len(frac) > 0 && frac[len(frac)-1] == '0' {
			frac = frac[:len(frac)-1]
		}
		b = append(b, '.')
		b = append(b, frac...)
	}
	if withZone {
		b = append(b, "+00"...)
	}
	if bc {
		b = append(b, " BC"...)
	}
	return string(b)
}

// DateOf returns the date (midnight UTC) of a timestamp.
func DateOf(v time.Time) time.Time {
	if v.Equal(InfinityTime) || v.Equal(NegInfinityTime) {
		return v
	}
	y, m, d := v.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
