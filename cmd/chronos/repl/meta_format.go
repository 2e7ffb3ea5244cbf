package repl

import (
	"context"
	"fmt"
	"strings"
)

// parseBool reads psql's boolean option values.
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "on", "true", "yes", "1", "t", "y":
		return true, true
	case "off", "false", "no", "0", "f", "n":
		return false, true
	}
	return false, false
}

// toggle sets *b from the optional argument, or flips it.
func (s *session) toggle(m *metaCall, args []string, b *bool) error {
	if len(args) == 0 {
		*b = !*b
		return nil
	}
	v, ok := parseBool(args[0])
	if !ok {
		fmt.Fprintf(s.cfg.Stderr, "%sunrecognized value \"%s\" for \"\\%s\": Boolean expected\n", s.errPrefix(), args[0], m.name)
		return ErrFailed
	}
	*b = v
	return nil
}

func metaExpanded(s *session, _ context.Context, m *metaCall) error {
	return s.setExpanded(m, m.args)
}

// setExpanded handles \x and \pset expanded: on, off, auto, or a toggle.
func (s *session) setExpanded(m *metaCall, args []string) error {
	switch {
	case len(args) > 0 && strings.EqualFold(args[0], "auto"):
		s.xAuto, s.popt.Expanded = true, false
	case s.xAuto && len(args) == 0:
		s.xAuto = false // toggling auto turns it off, as in psql
	default:
		if err := s.toggle(m, args, &s.popt.Expanded); err != nil {
			return err
		}
	}
	switch {
	case s.xAuto:
		s.info("Expanded display is used automatically.")
	case s.popt.Expanded:
		s.info("Expanded display is on.")
	default:
		s.info("Expanded display is off.")
	}
	return nil
}

func metaTuplesOnly(s *session, _ context.Context, m *metaCall) error {
	return s.setTuplesOnly(m, m.args)
}

// setTuplesOnly handles \t and \pset tuples_only. Like psql it reports the
// new state only when toggling.
func (s *session) setTuplesOnly(m *metaCall, args []string) error {
	if err := s.toggle(m, args, &s.popt.TuplesOnly); err != nil {
		return err
	}
	if len(args) == 0 {
		s.info("Tuples only is %s.", onOff(s.popt.TuplesOnly))
	}
	return nil
}

func metaAligned(s *session, _ context.Context, _ *metaCall) error {
	if s.popt.Format == FormatAligned {
		s.popt.Format = FormatUnaligned
	} else {
		s.popt.Format = FormatAligned
	}
	s.info("Output format is %s.", s.popt.Format)
	return nil
}

func metaTiming(s *session, _ context.Context, m *metaCall) error {
	if err := s.toggle(m, m.args, &s.timing); err != nil {
		return err
	}
	s.info("Timing is %s.", onOff(s.timing))
	return nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// metaPset handles \pset [option [value]] for the options the shell has.
func metaPset(s *session, _ context.Context, m *metaCall) error {
	if len(m.args) == 0 {
		x := onOff(s.popt.Expanded)
		if s.xAuto {
			x = "auto"
		}
		fmt.Fprintf(s.cfg.Stdout, "%-24s %s\n", "expanded", x)
		fmt.Fprintf(s.cfg.Stdout, "%-24s %s\n", "format", s.popt.Format)
		fmt.Fprintf(s.cfg.Stdout, "%-24s '%s'\n", "null", s.popt.Null)
		fmt.Fprintf(s.cfg.Stdout, "%-24s %s\n", "title", s.title)
		fmt.Fprintf(s.cfg.Stdout, "%-24s %s\n", "tuples_only", onOff(s.popt.TuplesOnly))
		return nil
	}
	opt, vals := m.args[0], m.args[1:]
	switch opt {
	case "format":
		if len(vals) == 0 {
			s.info("Output format is %s.", s.popt.Format)
			return nil
		}
		var matches []Format
		for _, f := range []Format{FormatAligned, FormatUnaligned, FormatCSV} {
			if strings.HasPrefix(f.String(), strings.ToLower(vals[0])) {
				matches = append(matches, f)
			}
		}
		if len(matches) != 1 {
			return s.fail(m, "allowed formats are aligned, csv, unaligned")
		}
		s.popt.Format = matches[0]
		s.info("Output format is %s.", s.popt.Format)
	case "null":
		if len(vals) > 0 {
			s.popt.Null = vals[0]
		}
		s.info("Null display is \"%s\".", s.popt.Null)
	case "expanded", "x":
		return s.setExpanded(m, vals)
	case "tuples_only", "t":
		return s.setTuplesOnly(m, vals)
	case "title":
		s.title = ""
		if len(vals) > 0 {
			s.title = vals[0]
		}
		if s.title == "" {
			s.info("Title is unset.")
		} else {
			s.info("Title is \"%s\".", s.title)
		}
	default:
		return s.fail(m, "unknown option: %s", opt)
	}
	return nil
}
