// Package cli holds halocfg's commands, one file each, and maps their errors
// to exit codes in one place (exit.go).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/halocfg/halocfg/termsafe"
	"github.com/urfave/cli/v2"
)

// Version is the tool version written into manifests; set with -ldflags at release.
var Version = "0.1.0-dev"

// env carries what every command needs besides its flags; tests build their own.
type env struct {
	stdout, stderr io.Writer
	log            *slog.Logger
	// isTerminal reports whether stderr is a terminal (progress lines, confirmations).
	isTerminal bool
	stdin      io.Reader
}

// Main runs halocfg with args and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdout: stdout, stderr: stderr, stdin: os.Stdin, isTerminal: isTerminal(stderr)}
	return run(ctx, e, args)
}

func run(ctx context.Context, e *env, args []string) int {
	app := newApp(e)
	err := app.RunContext(ctx, flagsFirst(app, args))
	return exitCode(e, err)
}

func newApp(e *env) *cli.App {
	app := &cli.App{
		Name:                 "halocfg",
		Usage:                "back up, review and migrate the ticket configuration of a HaloPSA tenant",
		Version:              Version,
		Writer:               e.stdout,
		ErrWriter:            e.stderr,
		HideHelpCommand:      true,
		EnableBashCompletion: false,
		// Errors are printed and mapped to exit codes by exitCode, never by urfave's os.Exit.
		ExitErrHandler: func(*cli.Context, error) {},
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "log-format", Value: "text", Usage: "log format on stderr: text or json", EnvVars: []string{"HALOCFG_LOG_FORMAT"}},
			&cli.StringFlag{Name: "log-level", Value: "info", Usage: "debug, info, warn or error", EnvVars: []string{"HALOCFG_LOG_LEVEL"}},
			cli.HelpFlag, // urfave adds it only when there is no "help" command of ours
		},
		Before: func(c *cli.Context) error {
			l, err := newLogger(e.stderr, c.String("log-format"), c.String("log-level"))
			if err != nil {
				return usageError{err}
			}
			e.log = l
			return nil
		},
		OnUsageError: func(c *cli.Context, err error, isSubcommand bool) error {
			return usageError{fmt.Errorf("%w; run 'halocfg help'", err)}
		},
		// Reached without a command, or with one that does not exist.
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageError{errors.New("no command given; run 'halocfg help' for the commands")}
			}
			return unknownCommand(c.Args().First())
		},
		Commands: []*cli.Command{
			helpCommand(),
			exportCommand(e),
			simCommand(e),
			demoCommand(e),
			backupCommand(e),
			verifyCommand(e),
			diffCommand(e),
			importCommand(e),
			migrateCommand(e),
			convertCommand(e),
			probeCommand(e),
		},
	}
	// urfave's own handling of a bad command flag prints the command's help on
	// stdout and exits 1; a usage error is 2 with one line on stderr.
	for _, cmd := range app.Commands {
		name := cmd.Name
		cmd.HideHelpCommand = true
		cmd.OnUsageError = func(c *cli.Context, err error, isSubcommand bool) error {
			return usageError{fmt.Errorf("%w; run 'halocfg help %s'", err, name)}
		}
	}
	return app
}

func unknownCommand(name string) error {
	return usageError{fmt.Errorf("unknown command %q; run 'halocfg help' for the commands", name)}
}

// helpCommand prints the commands, or one command's flags, on stdout.
// urfave's own ends with exit 3 on an unknown topic and takes "help" for one.
func helpCommand() *cli.Command {
	return &cli.Command{
		Name:      "help",
		Usage:     "show the commands, or one command's flags",
		ArgsUsage: "[COMMAND]",
		Action: func(c *cli.Context) error {
			args, err := positional(c, -1, "[COMMAND]")
			switch {
			case err != nil:
				return err
			case len(args) == 0:
				return cli.ShowAppHelp(c)
			case len(args) > 1:
				return usageError{fmt.Errorf("want at most one argument: [COMMAND]; got %d", len(args))}
			case c.App.Command(args[0]) == nil:
				return unknownCommand(args[0])
			}
			return cli.ShowCommandHelp(c, args[0])
		},
	}
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		// The text handler quotes every unsafe character itself; JSON's
		// encoder leaves C1 and bidi controls as they are.
		return slog.New(slog.NewJSONHandler(termsafe.JSONWriter(w), opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

// flagsFirst moves a command's flags ahead of its positional arguments, so
// that "halocfg diff A B --output json" means what it says: urfave/cli v2
// stops parsing flags at the first positional argument. Everything after a
// "--" stays where it is.
func flagsFirst(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	// Find the command: the first argument that is not a global flag or its value.
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		if takesValue(app.Flags, args[i]) {
			i++
		}
		i++
	}
	if i >= len(args) {
		return args
	}
	cmd := app.Command(args[i])
	if cmd == nil {
		return args
	}
	out := append([]string{}, args[:i+1]...)
	var pos []string
	rest := args[i+1:]
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		switch {
		case a == "--":
			pos = append(pos, rest[j:]...)
			j = len(rest)
		case strings.HasPrefix(a, "-") && a != "-":
			out = append(out, a)
			if takesValue(cmd.Flags, a) && j+1 < len(rest) {
				j++
				out = append(out, rest[j])
			}
		default:
			pos = append(pos, a)
		}
	}
	return append(out, pos...)
}

// takesValue reports whether arg ("--name" or "-name", without "=value")
// names a flag of flags that is followed by a value.
func takesValue(flags []cli.Flag, arg string) bool {
	if strings.Contains(arg, "=") {
		return false
	}
	name := strings.TrimLeft(arg, "-")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				_, isBool := f.(*cli.BoolFlag)
				return !isBool
			}
		}
	}
	return false
}

// positional returns the command's positional arguments, exactly n of them
// (n < 0: any number). flagsFirst has already moved flags ahead of them;
// what still looks like a flag here came after "--" and is refused.
func positional(c *cli.Context, n int, names ...string) ([]string, error) {
	args := c.Args().Slice()
	for _, a := range args {
		if strings.HasPrefix(a, "-") && a != "-" {
			return nil, usageError{fmt.Errorf("flag %s after an argument: flags must come before %s", a, strings.Join(names, " "))}
		}
	}
	if n == 0 && len(args) > 0 {
		return nil, usageError{fmt.Errorf("unexpected argument %q: this command takes flags only", args[0])}
	}
	if n >= 0 && len(args) != n {
		return nil, usageError{fmt.Errorf("want %d argument(s): %s; got %d", n, strings.Join(names, " "), len(args))}
	}
	return args, nil
}

// required returns the value of a string flag that must be given. urfave's
// own Required check runs before the action, ahead of positional's clearer
// message, and its error cannot be told from a failure; this one is a usage error.
func required(c *cli.Context, name string) (string, error) {
	v := c.String(name)
	if v == "" {
		return "", usageError{fmt.Errorf("--%s is required", name)}
	}
	return v, nil
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
