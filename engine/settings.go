package engine

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chronos-db/chronos/engine/sqlerr"
)

// A setting is one run-time parameter a session can SHOW, and SET or RESET
// unless it is read-only.
type setting struct {
	// name is the canonical spelling, used as SHOW's column name.
	name string
	// def is the value a session starts with.
	def string
	// reportable settings are sent to the client (ParameterStatus) when
	// they change.
	reportable bool
	// readOnly settings reject SET.
	readOnly bool
	// check validates and normalises a new value; nil accepts anything.
	check func(v string) (string, error)
	// desc is the description SHOW ALL prints.
	desc string
}

// The run-time parameters Chronos knows, by lower-case name.
var settings = map[string]*setting{}

func init() {
	for _, s := range []*setting{
		{name: "application_name", def: "", reportable: true, desc: "Sets the application name to be reported in statistics and logs."},
		{name: "search_path", def: `"$user", public`, desc: "Sets the schema search order for names that are not schema-qualified."},
		{name: "TimeZone", def: "UTC", reportable: true, check: checkTimeZone, desc: "Sets the time zone for displaying and interpreting time stamps."},
		{name: "DateStyle", def: "ISO, MDY", reportable: true, check: checkDateStyle, desc: "Sets the display format for date and time values."},
		{name: "IntervalStyle", def: "postgres", reportable: true, check: checkOneOf("postgres", "postgres_verbose", "sql_standard", "iso_8601"), desc: "Sets the display format for interval values."},
		{name: "client_encoding", def: "UTF8", reportable: true, check: checkEncoding, desc: "Sets the client's character set encoding."},
		{name: "extra_float_digits", def: "1", check: checkIntRange(-15, 3), desc: "Sets the number of digits displayed for floating-point values."},
		{name: "statement_timeout", def: "0", check: checkDuration, desc: "Sets the maximum allowed duration of any statement."},
		{name: "lock_timeout", def: "0", check: checkDuration, desc: "Sets the maximum allowed duration of any wait for a lock."},
		{name: "idle_in_transaction_session_timeout", def: "0", check: checkDuration, desc: "Sets the maximum allowed idle time between queries, when in a transaction."},
		{name: "client_min_messages", def: "notice", check: checkOneOf("debug5", "debug4", "debug3", "debug2", "debug1", "debug", "log", "notice", "warning", "error"), desc: "Sets the message levels that are sent to the client."},
		{name: "standard_conforming_strings", def: "on", reportable: true, check: checkStandardStrings, desc: "Causes '...' strings to treat backslashes literally."},
		{name: "transaction_isolation", def: "serializable", check: checkIsolation, desc: "Sets the current transaction's isolation level."},
		{name: "default_transaction_isolation", def: "serializable", check: checkIsolation, desc: "Sets the transaction isolation level of each new transaction."},
		{name: "transaction_read_only", def: "off", check: checkBool, desc: "Sets the current transaction's read-only status."},
		{name: "default_transaction_read_only", def: "off", check: checkBool, desc: "Sets the default read-only status of new transactions."},
		{name: "synchronous_commit", def: "on", check: checkOneOf("on", "off", "local", "remote_write", "remote_apply"), desc: "Sets the current transaction's synchronization level."},
		{name: "chronos.read_consistency", def: "linearizable", check: checkOneOf("linearizable", "stale"), desc: "Chooses linearizable reads (ReadIndex) or possibly stale local reads."},
		{name: "server_version", def: "15.0", reportable: true, readOnly: true, desc: "Shows the server version."},
		{name: "server_version_num", def: "150000", readOnly: true, desc: "Shows the server version as an integer."},
		{name: "server_encoding", def: "UTF8", reportable: true, readOnly: true, desc: "Shows the server (database) character set encoding."},
		{name: "integer_datetimes", def: "on", reportable: true, readOnly: true, desc: "Shows whether datetimes are integer based."},
		{name: "is_superuser", def: "on", reportable: true, readOnly: true, desc: "Shows whether the current user is a superuser."},
		{name: "session_authorization", def: "chronos", reportable: true, readOnly: true, desc: "Sets the session user name."},
		{name: "max_identifier_length", def: "63", readOnly: true, desc: "Shows the maximum identifier length."},
		{name: "lc_collate", def: "C", readOnly: true, desc: "Shows the collation order locale."},
		{name: "lc_ctype", def: "C", readOnly: true, desc: "Shows the character classification and case conversion locale."},
		{name: "lc_messages", def: "C", desc: "Sets the language in which messages are displayed."},
		{name: "lc_monetary", def: "C", desc: "Sets the locale for formatting monetary amounts."},
		{name: "lc_numeric", def: "C", desc: "Sets the locale for formatting numbers."},
		{name: "lc_time", def: "C", desc: "Sets the locale for formatting date and time values."},
		{name: "default_text_search_config", def: "pg_catalog.english", desc: "Sets default text search configuration."},
		{name: "bytea_output", def: "hex", check: checkOneOf("hex", "escape"), desc: "Sets the output format for bytea."},
		{name: "row_security", def: "on", check: checkBool, desc: "Enable row security."},
	} {
		settings[strings.ToLower(s.name)] = s
	}
}

// lookupSetting returns the setting called name (any case), or a 42704
// error. Names with a dot are custom placeholders (like PostgreSQL's
// "myapp.x") and are accepted with any value.
func lookupSetting(name string) (*setting, error) {
	if s, ok := settings[strings.ToLower(name)]; ok {
		return s, nil
	}
	if strings.Contains(name, ".") {
		return &setting{name: strings.ToLower(name)}, nil
	}
	return nil, sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", name)
}

// settingNames returns the known settings' lower-case names, sorted.
func settingNames() []string {
	names := make([]string, 0, len(settings))
	for n := range settings {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func invalidValue(name, v string) *sqlerr.Error {
	return sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v)
}

func checkOneOf(vals ...string) func(string) (string, error) {
	return func(v string) (string, error) {
		lv := strings.ToLower(strings.TrimSpace(v))
		for _, x := range vals {
			if lv == x {
				return x, nil
			}
		}
		return "", fmt.Errorf("%s", v)
	}
}

func checkBool(v string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "yes", "1", "t", "y":
		return "on", nil
	case "off", "false", "no", "0", "f", "n":
		return "off", nil
	}
	return "", fmt.Errorf("%s", v)
}

func checkStandardStrings(v string) (string, error) {
	b, err := checkBool(v)
	if err != nil {
		return "", err
	}
	if b == "off" {
		return "", sqlerr.New(sqlerr.FeatureNotSupported, "standard_conforming_strings = off is not supported")
	}
	return b, nil
}

func checkIntRange(lo, hi int) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return "", fmt.Errorf("%s", v)
		}
		if n < lo || n > hi {
			return "", sqlerr.New(sqlerr.InvalidParameterValue, "%d is outside the valid range for parameter (%d .. %d)", n, lo, hi)
		}
		return strconv.Itoa(n), nil
	}
}

// checkDuration accepts milliseconds or a number with a unit (us, ms, s,
// min, h, d) and normalises to PostgreSQL's display form.
func checkDuration(v string) (string, error) {
	d, err := parseDurationSetting(v)
	if err != nil {
		return "", err
	}
	return formatDurationSetting(d), nil
}

func parseDurationSetting(v string) (time.Duration, error) {
	s := strings.TrimSpace(strings.ToLower(v))
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == '-') {
		i++
	}
	num, unit := s[:i], strings.TrimSpace(s[i:])
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("%s", v)
	}
	var mult time.Duration
	switch unit {
	case "", "ms":
		mult = time.Millisecond
	case "us":
		mult = time.Microsecond
	case "s":
		mult = time.Second
	case "min":
		mult = time.Minute
	case "h":
		mult = time.Hour
	case "d":
		mult = 24 * time.Hour
	default:
		return 0, fmt.Errorf("%s", v)
	}
	return time.Duration(f * float64(mult)), nil
}

func formatDurationSetting(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d%time.Hour == 0 && d >= time.Hour:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0 && d >= time.Minute:
		return fmt.Sprintf("%dmin", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", d/time.Millisecond)
}

func checkTimeZone(v string) (string, error) {
	s := strings.TrimSpace(v)
	switch strings.ToLower(s) {
	case "utc", "gmt", "z", "zulu", "etc/utc", "universal":
		return "UTC", nil
	case "local", "default":
		return "UTC", nil
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		// A bare number is hours east of UTC, shown as PostgreSQL does.
		return s, nil
	}
	if _, err := time.LoadLocation(s); err != nil {
		return "", fmt.Errorf("%s", v)
	}
	return s, nil
}

func checkDateStyle(v string) (string, error) {
	style, order := "ISO", "MDY"
	for _, part := range strings.Split(v, ",") {
		switch strings.ToLower(strings.TrimSpace(part)) {
		case "iso":
			style = "ISO"
		case "postgres":
			style = "Postgres"
		case "sql":
			style = "SQL"
		case "german":
			style = "German"
		case "mdy", "us", "noneuropean", "non-european":
			order = "MDY"
		case "dmy", "euro", "european":
			order = "DMY"
		case "ymd":
			order = "YMD"
		case "default", "":
		default:
			return "", fmt.Errorf("%s", v)
		}
	}
	if style != "ISO" {
		return "", sqlerr.New(sqlerr.FeatureNotSupported, "DateStyle %s is not supported; Chronos only formats dates in ISO style", style)
	}
	return style + ", " + order, nil
}

func checkEncoding(v string) (string, error) {
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(v), "-", "")) {
	case "utf8", "unicode":
		return "UTF8", nil
	case "sql_ascii":
		return "SQL_ASCII", nil
	}
	return "", sqlerr.New(sqlerr.FeatureNotSupported, "client_encoding %q is not supported; Chronos speaks UTF8", v)
}

func checkIsolation(v string) (string, error) {
	switch strings.ToLower(strings.Join(strings.Fields(v), " ")) {
	case "serializable":
		return "serializable", nil
	case "repeatable read", "read committed", "read uncommitted":
		// Every level runs as serializable (issue 4), and says so.
		return "serializable", nil
	}
	return "", fmt.Errorf("%s", v)
}

// sessionSettings are one session's values of the run-time parameters.
type sessionSettings struct {
	// values holds the settings changed from their defaults, by lower-case
	// name.
	values map[string]string
	// changed holds the lower-case names of reportable settings changed
	// since the last ChangedParameters call.
	changed map[string]bool
	// timeout caches statement_timeout.
	timeout time.Duration
	// stale caches chronos.read_consistency = stale.
	stale bool
}

func newSessionSettings() sessionSettings {
	return sessionSettings{values: map[string]string{}, changed: map[string]bool{}}
}

// get returns a setting's value.
func (ss *sessionSettings) get(name string) (string, bool) {
	ln := strings.ToLower(name)
	if v, ok := ss.values[ln]; ok {
		return v, true
	}
	if s, ok := settings[ln]; ok {
		return s.def, true
	}
	return "", false
}

// set validates and stores a new value.
func (ss *sessionSettings) set(name, value string) error {
	s, err := lookupSetting(name)
	if err != nil {
		return err
	}
	if s.readOnly {
		return sqlerr.New(codeCantChangeRuntimeParam, "parameter \"%s\" cannot be changed", s.name)
	}
	v := value
	if s.check != nil {
		nv, err := s.check(value)
		if err != nil {
			if e := sqlerr.As(err); e != nil {
				return e
			}
			return invalidValue(s.name, value)
		}
		v = nv
	}
	ss.store(s, v)
	return nil
}

// reset returns a setting to its default.
func (ss *sessionSettings) reset(name string) error {
	s, err := lookupSetting(name)
	if err != nil {
		return err
	}
	if s.readOnly {
		return sqlerr.New(codeCantChangeRuntimeParam, "parameter \"%s\" cannot be changed", s.name)
	}
	ss.store(s, s.def)
	return nil
}

// resetAll returns every changeable setting to its default.
func (ss *sessionSettings) resetAll() {
	for _, s := range settings {
		if !s.readOnly {
			if _, ok := ss.values[strings.ToLower(s.name)]; ok {
				ss.store(s, s.def)
			}
		}
	}
}

func (ss *sessionSettings) store(s *setting, v string) {
	ln := strings.ToLower(s.name)
	old, _ := ss.get(ln)
	if v == s.def {
		delete(ss.values, ln)
	} else {
		ss.values[ln] = v
	}
	if s.reportable && old != v {
		ss.changed[ln] = true
	}
	switch ln {
	case "statement_timeout":
		ss.timeout, _ = parseDurationSetting(v)
	case "chronos.read_consistency":
		ss.stale = v == "stale"
	}
}

// takeChanged returns the reportable settings changed since the last call,
// by canonical name.
func (ss *sessionSettings) takeChanged() map[string]string {
	if len(ss.changed) == 0 {
		return nil
	}
	out := make(map[string]string, len(ss.changed))
	for ln := range ss.changed {
		v, _ := ss.get(ln)
		out[settings[ln].name] = v
	}
	clear(ss.changed)
	return out
}
