package repl

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/chzyer/readline"
)

// errInterrupt is returned by a line reader when the user pressed Ctrl-C
// while typing.
var errInterrupt = errors.New("interrupted")

// lineReader is a source of input lines.
type lineReader interface {
	// ReadLine returns the next line without its terminator, io.EOF at the
	// end of input, or errInterrupt. prompt is shown by interactive readers.
	ReadLine(prompt string) (string, error)
	// AddHistory records a complete statement or meta-command.
	AddHistory(entry string)
	Close() error
}

// plainReader reads lines from a file or a pipe. A goroutine does the
// reading so that ReadLine returns when ctx ends (SIGTERM while a pipe's
// writer is silent) instead of blocking until the next line; it ends at the
// end of input, or stays blocked in a read of a pipe that never closes until
// the process exits.
type plainReader struct {
	ctx   context.Context
	lines chan lineOrErr
}

type lineOrErr struct {
	line string
	err  error
}

func newPlainReader(ctx context.Context, r io.Reader) *plainReader {
	p := &plainReader{ctx: ctx, lines: make(chan lineOrErr)}
	go func() {
		br := bufio.NewReaderSize(r, 64*1024)
		for {
			line, err := br.ReadString('\n')
			if err != nil && (err != io.EOF || line == "") {
				select {
				case p.lines <- lineOrErr{err: err}:
				case <-ctx.Done():
				}
				return
			}
			line = strings.TrimSuffix(line, "\n")
			select {
			case p.lines <- lineOrErr{line: strings.TrimSuffix(line, "\r")}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return p
}

func (p *plainReader) ReadLine(string) (string, error) {
	select {
	case l := <-p.lines:
		return l.line, l.err
	case <-p.ctx.Done():
		return "", p.ctx.Err()
	}
}

func (p *plainReader) AddHistory(string) {}
func (p *plainReader) Close() error      { return nil }

// HistoryFile returns where the history of interactive sessions is kept:
// $CHRONOS_HISTORY if set, else ~/.chronos_history; empty if neither can be
// determined.
func HistoryFile() string {
	if f := os.Getenv("CHRONOS_HISTORY"); f != "" {
		return f
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".chronos_history")
}

// editReader reads lines from a terminal with line editing, history and tab
// completion.
type editReader struct {
	rl *readline.Instance
}

func newEditReader(cfg *Config, completer readline.AutoCompleter) (*editReader, error) {
	rl, err := readline.NewEx(&readline.Config{
		HistoryFile:            cfg.HistoryFile,
		HistoryLimit:           1000,
		DisableAutoSaveHistory: true,
		HistorySearchFold:      true,
		AutoComplete:           completer,
		InterruptPrompt:        "^C",
		EOFPrompt:              `\q`,
	})
	if err != nil {
		return nil, err
	}
	return &editReader{rl: rl}, nil
}

func (e *editReader) ReadLine(prompt string) (string, error) {
	e.rl.SetPrompt(prompt)
	line, err := e.rl.Readline()
	switch {
	case errors.Is(err, readline.ErrInterrupt):
		return "", errInterrupt
	case err != nil:
		return "", err
	}
	return line, nil
}

func (e *editReader) AddHistory(entry string) {
	entry = strings.TrimSpace(entry)
	if entry == "" {
		return
	}
	// The history file holds one entry per line: a multi-line statement is
	// saved as one line unless a -- comment would swallow the lines after
	// it, in which case each line is saved on its own.
	if strings.Contains(entry, "--") {
		for _, l := range strings.Split(entry, "\n") {
			_ = e.rl.SaveHistory(l)
		}
		return
	}
	_ = e.rl.SaveHistory(strings.ReplaceAll(entry, "\n", " "))
}

func (e *editReader) Close() error { return e.rl.Close() }

// screenWidth is the terminal's width in columns, or 0 if unknown.
func screenWidth() int {
	if !readline.IsTerminal(int(os.Stdout.Fd())) {
		return 0
	}
	return readline.GetScreenWidth()
}
