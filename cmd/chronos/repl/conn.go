package repl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// DefaultPort is the PostgreSQL port used when an address has none.
const DefaultPort = "5432"

// connectTimeout bounds each connection attempt unless a URL sets its own
// connect_timeout.
const connectTimeout = 5 * time.Second

// ParseAddresses splits a --leader value into the connection strings the
// shell tries in order. Items are separated by commas; each is host:port
// (the port defaults to 5432) or a postgres:// or postgresql:// URL. The user
// and database apply to host:port items; a URL carries its own.
func ParseAddresses(list, user, database string) ([]string, error) {
	var out []string
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if strings.HasPrefix(item, "postgres://") || strings.HasPrefix(item, "postgresql://") {
			u, err := url.Parse(item)
			if err != nil {
				return nil, fmt.Errorf("invalid connection URL %q: %w", item, err)
			}
			q := u.Query()
			if q.Get("connect_timeout") == "" {
				q.Set("connect_timeout", fmt.Sprint(int(connectTimeout.Seconds())))
			}
			u.RawQuery = q.Encode()
			out = append(out, u.String())
			continue
		}
		if strings.Contains(item, "://") {
			return nil, fmt.Errorf("invalid address %q: only postgres:// and postgresql:// URLs are supported", item)
		}
		host, port, err := net.SplitHostPort(item)
		if err != nil {
			// No port: the whole item is the host.
			host, port = strings.Trim(item, "[]"), DefaultPort
		}
		if host == "" || strings.ContainsAny(host, "/?@ ") {
			return nil, fmt.Errorf("invalid address %q: want HOST:PORT", item)
		}
		if _, err := net.LookupPort("tcp", port); err != nil {
			return nil, fmt.Errorf("invalid address %q: bad port %q", item, port)
		}
		u := url.URL{
			Scheme:   "postgres",
			User:     url.User(user),
			Host:     net.JoinHostPort(host, port),
			Path:     "/" + database,
			RawQuery: fmt.Sprintf("sslmode=disable&connect_timeout=%d", int(connectTimeout.Seconds())),
		}
		out = append(out, u.String())
	}
	if len(out) == 0 {
		return nil, errors.New("no server address given")
	}
	return out, nil
}

// displayAddress is how a connection string is named in messages:
// host:port, without user, password or options.
func displayAddress(connString string) string {
	u, err := url.Parse(connString)
	if err != nil || u.Host == "" {
		return connString
	}
	return u.Host
}

// connect opens a connection to one address. A server that asks for a
// password the shell does not have gets one from PromptPassword, only for
// the first connection of a run (later the terminal belongs to the line
// editor).
func (s *session) connect(ctx context.Context, connString string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return nil, err
	}
	if cfg.Password == "" {
		cfg.Password = s.cfg.Password
	}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		s.printNotice((*pgconn.PgError)(n))
	}
	// A cancelled context first asks the server to cancel the statement, and
	// only breaks the connection if the server does not answer.
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: 5 * time.Second}
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil || cfg.Password != "" || !passwordRefused(err) {
		return conn, err
	}
	if s.cfg.PromptPassword == nil || s.prompted {
		return nil, fmt.Errorf("%w\nThe server asks for a password: set PGPASSWORD, or run on a terminal to be asked for it", err)
	}
	s.prompted = true
	pw, perr := s.cfg.PromptPassword(cfg.User)
	if perr != nil {
		return nil, fmt.Errorf("reading the password: %w", perr)
	}
	s.cfg.Password, cfg.Password = pw, pw
	return pgx.ConnectConfig(ctx, cfg)
}

// passwordRefused reports whether a connection failed at authentication
// for want of the right password (SQLSTATE 28P01).
func passwordRefused(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "28P01"
}

// connectFirst connects to the first address that answers, starting at
// index start and wrapping around the list once.
func (s *session) connectFirst(ctx context.Context, start int) error {
	var errs []error
	n := len(s.cfg.Addresses)
	for k := 0; k < n; k++ {
		i := (start + k) % n
		conn, err := s.connect(ctx, s.cfg.Addresses[i])
		if err == nil {
			s.conn, s.addrIndex = conn, i
			return nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return errors.Join(errs...)
}

// connected reports whether the session has a usable connection.
func (s *session) connected() bool {
	return s.conn != nil && !s.conn.IsClosed()
}

// ensureConnected reconnects a session whose connection was lost.
func (s *session) ensureConnected(ctx context.Context) error {
	if s.connected() {
		return nil
	}
	return s.reconnect(ctx)
}

// reconnect replaces a lost connection: it tries the other addresses first,
// then the one that failed, and replays the session's settings on the new
// connection.
func (s *session) reconnect(ctx context.Context) error {
	old := ""
	wasInTx := false
	if s.conn != nil {
		old = displayAddress(s.cfg.Addresses[s.addrIndex])
		wasInTx = s.lastTxStatus == 'T' || s.lastTxStatus == 'E'
		s.conn.Close(context.Background())
		s.conn = nil
	}
	if old != "" {
		fmt.Fprintf(s.cfg.Stderr, "The connection to the server at %s was lost. Attempting reset: ", old)
	} else {
		fmt.Fprint(s.cfg.Stderr, "Not connected. Attempting to connect: ")
	}
	err := s.connectFirst(ctx, s.addrIndex+1)
	if err != nil {
		fmt.Fprintln(s.cfg.Stderr, "Failed.")
		return fmt.Errorf("could not connect to any server: %w", err)
	}
	fmt.Fprintf(s.cfg.Stderr, "Succeeded, connected to %s.\n", displayAddress(s.cfg.Addresses[s.addrIndex]))
	s.lastTxStatus = 'I'
	if wasInTx {
		fmt.Fprintln(s.cfg.Stderr, "WARNING:  the open transaction was lost; its changes were not committed")
	}
	for _, stmt := range s.settings.statements() {
		if _, err := s.conn.PgConn().Exec(ctx, stmt).ReadAll(); err != nil {
			fmt.Fprintf(s.cfg.Stderr, "could not restore setting %q: %v\n", stmt, err)
		} else if !s.cfg.Quiet {
			fmt.Fprintf(s.cfg.Stderr, "Restored: %s\n", stmt)
		}
	}
	s.tables.invalidate()
	return nil
}

// settingsLog remembers the session-level SET commands that succeeded, so a
// new connection can be given the same settings. A later SET of the same
// parameter replaces the earlier one; RESET forgets it.
type settingsLog struct {
	order []string          // parameter names in first-set order
	stmt  map[string]string // parameter name -> the SET statement to replay
}

var (
	// setRE matches SET [SESSION] name {=|TO} value and SET TIME ZONE value.
	setRE = regexp.MustCompile(`(?is)^\s*SET\s+(?:SESSION\s+)?(?:(TIME\s+ZONE)\s+|([A-Za-z_][A-Za-z0-9_.$]*)\s*(?:=|\s+TO\s+|TO\s+))(.*?)\s*;?\s*$`)
	// resetRE matches RESET name and RESET ALL.
	resetRE = regexp.MustCompile(`(?is)^\s*RESET\s+(?:SESSION\s+)?([A-Za-z_][A-Za-z0-9_.$]*)\s*;?\s*$`)
)

// record notes a statement that completed successfully with its tag.
func (l *settingsLog) record(sql, tag string) {
	switch tag {
	case "SET":
		m := setRE.FindStringSubmatch(sql)
		if m == nil {
			return // SET LOCAL, SET TRANSACTION, ...: not session state
		}
		name := strings.ToLower(m[2])
		if m[1] != "" {
			name = "timezone"
		}
		if l.stmt == nil {
			l.stmt = map[string]string{}
		}
		if _, ok := l.stmt[name]; !ok {
			l.order = append(l.order, name)
		}
		l.stmt[name] = strings.TrimSuffix(strings.TrimSpace(sql), ";")
	case "RESET":
		m := resetRE.FindStringSubmatch(sql)
		if m == nil {
			return
		}
		name := strings.ToLower(m[1])
		if name == "all" {
			l.order, l.stmt = nil, nil
			return
		}
		if _, ok := l.stmt[name]; ok {
			delete(l.stmt, name)
			for i, n := range l.order {
				if n == name {
					l.order = append(l.order[:i], l.order[i+1:]...)
					break
				}
			}
		}
	}
}

// statements returns the SET statements to replay, in order.
func (l *settingsLog) statements() []string {
	out := make([]string, 0, len(l.order))
	for _, n := range l.order {
		out = append(out, l.stmt[n])
	}
	return out
}
