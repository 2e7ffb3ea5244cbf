package repl

import (
	"fmt"
	"io"
	"os"

	"github.com/chzyer/readline"
)

// TerminalPassword returns a Config.PromptPassword that asks for the
// password on the terminal in without echoing it, with psql's prompt
// "Password for user NAME: " written to w.
func TerminalPassword(in *os.File, w io.Writer) func(user string) (string, error) {
	return func(user string) (string, error) {
		fmt.Fprintf(w, "Password for user %s: ", user)
		b, err := readline.ReadPassword(int(in.Fd()))
		fmt.Fprintln(w)
		if err != nil {
			return "", err
		}
		return string(b), nil
	}
}
