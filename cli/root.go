// Package cli holds kaiwu's cobra commands. Each command parses its flags,
// calls a pure domain or engine function, and renders the result as an
// aligned table (default) or as stable JSON (--json).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// Options are the global flags every command sees.
type Options struct {
	JSON    bool
	Threads int
	Lang    Lang

	langFlag string
	stdout   io.Writer
	stderr   io.Writer
}

// T translates key into the selected language.
func (o *Options) T(key string) string { return T(o.Lang, key) }

// Out is where command results go.
func (o *Options) Out() io.Writer { return o.stdout }

// Err is where progress and diagnostics go (never mixed into --json output).
func (o *Options) Err() io.Writer { return o.stderr }

// render writes v as JSON when --json is set and the table otherwise.
func (o *Options) render(v any, t Table) error {
	if o.JSON {
		return writeJSON(o.stdout, v)
	}
	return t.Write(o.stdout)
}

// threadsFromEnv reads KAIWU_NUM_THREADS; 0 means "not set".
func threadsFromEnv(getenv func(string) string) (int, error) {
	v := getenv("KAIWU_NUM_THREADS")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("KAIWU_NUM_THREADS=%q: want a positive integer", v)
	}
	return n, nil
}

// langFromArgs finds a --lang flag in args before cobra parses them, so that
// help texts, which are built with the command tree, are in that language.
func langFromArgs(args []string) (Lang, bool) {
	for i, a := range args {
		v, ok := "", false
		switch {
		case a == "--lang" && i+1 < len(args):
			v, ok = args[i+1], true
		case len(a) > 7 && a[:7] == "--lang=":
			v, ok = a[7:], true
		}
		if ok {
			if l, err := ParseLang(v); err == nil {
				return l, true
			}
		}
	}
	return "", false
}

// NewRootCommand builds the kaiwu command tree writing to stdout and
// stderr; args (without the program name) only pick the help language.
func NewRootCommand(stdout, stderr io.Writer, args []string) *cobra.Command {
	o := &Options{stdout: stdout, stderr: stderr, Lang: defaultLang()}
	if l, ok := langFromArgs(args); ok {
		o.Lang = l
	}
	root := &cobra.Command{
		Use:           "kaiwu",
		Short:         T(o.Lang, "short.root"),
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("lang") {
				l, err := ParseLang(o.langFlag)
				if err != nil {
					return usageError{err}
				}
				o.Lang = l
			}
			n := o.Threads
			if !cmd.Flags().Changed("threads") {
				env, err := threadsFromEnv(os.Getenv)
				if err != nil {
					return err
				}
				n = env
			} else if n < 1 {
				return usageError{fmt.Errorf("--threads %d: want a positive integer", n)}
			}
			if n == 0 {
				n = runtime.NumCPU()
			}
			o.Threads = n
			kernels.SetThreads(n)
			return nil
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	pf.BoolVar(&o.JSON, "json", false, "print machine-readable JSON instead of a table")
	pf.IntVar(&o.Threads, "threads", 0, "worker threads for the engine (default: all cores, or $KAIWU_NUM_THREADS)")
	pf.StringVar(&o.langFlag, "lang", string(o.Lang), "language of the output: zh or en (default from the locale)")

	root.AddCommand(newVersionCommand(o))
	root.AddCommand(newDemoCommand(o))
	root.AddCommand(newBenchCommand(o))
	root.AddCommand(newFinanceCommand(o))
	root.AddCommand(newComputeCommand(o))
	root.AddCommand(newWorkspaceCommand(o))
	root.AddCommand(newUserCommand(o))
	root.AddCommand(newServeCommand(o))
	root.AddCommand(newTrainCommand(o))
	root.AddCommand(newEvalCommand(o))
	root.AddCommand(newPredictCommand(o))
	root.AddCommand(newGenerateCommand(o))
	root.AddCommand(newRunsCommand(o))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	markUsageErrors(root)
	return root
}

const rootLong = `kaiwu (开物) is a workbench for large-model startups.

It builds the model — a pure-Go deep-learning engine with autograd and fast
SGEMM kernels — and, as it grows, builds the company: financing, compute
economics, market and execution.

kaiwu 是为大模型创业公司打造的工作台：既造模型（纯 Go 深度学习引擎），
也建公司（融资、算力经济、市场与执行）。`

// The exit codes of the kaiwu process (docs/cli.md, "Exit codes").
const (
	// ExitOK: the command succeeded.
	ExitOK = 0
	// ExitError: the command failed (bad input, a failed computation or
	// I/O); the message on standard error says what and where.
	ExitError = 1
	// ExitUsage: the command line itself is wrong: an unknown command or
	// flag, a flag value of the wrong type, the wrong number of
	// arguments, or a bad --lang or --threads.
	ExitUsage = 2
	// ExitInterrupted: Ctrl-C (SIGINT) or SIGTERM stopped a command that
	// stops cleanly on them and returns an error wrapping
	// context.Canceled (the demos, see interruptible and interrupted; runs start);
	// 128 + SIGINT, as shells report a process killed by Ctrl-C.
	ExitInterrupted = 130
)

func init() {
	addMessages(map[string][2]string{
		"usage.hint": {"Run '%s --help' for usage.", "运行 '%s --help' 查看用法。"},
	})
}

// usageError marks an error in the command line itself (ExitUsage).
type usageError struct{ err error }

// Error returns the wrapped error's message, unchanged.
func (e usageError) Error() string { return e.err.Error() }

// Unwrap returns the wrapped error.
func (e usageError) Unwrap() error { return e.err }

// exitCode maps the error a command returned to the process exit code:
// nil → ExitOK; an error wrapping context.Canceled (the command's context
// was canceled by a signal; see interruptible) → ExitInterrupted; a
// usageError → ExitUsage; anything else → ExitError.
func exitCode(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.As(err, new(usageError)):
		return ExitUsage
	}
	return ExitError
}

// markUsageErrors makes the command line's own mistakes usage errors in
// c and every command below it: a failed argument check, and an unknown
// subcommand of a command group, which cobra would otherwise answer with
// the group's help and exit code 0 (a typo in a script would pass
// unnoticed). A group without arguments still prints its help.
func markUsageErrors(c *cobra.Command) {
	switch {
	case c.HasSubCommands() && !c.Runnable():
		c.Args = unknownSubcommand
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	case c.Args != nil:
		check := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return usageError{err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		markUsageErrors(sub)
	}
}

// unknownSubcommand is a command group's argument check: any argument is
// a subcommand it does not have. The message is cobra's own, with its
// suggestions.
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	m := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		m += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return usageError{errors.New(m)}
}

// Main runs the CLI with os.Args and returns the process exit code.
func Main() int { return execute(os.Args[1:], os.Stdout, os.Stderr) }

// execute runs the CLI with args (without the program name), reports an
// error on stderr — for a usage error with a pointer to the command's
// help — and returns the exit code (see exitCode).
func execute(args []string, stdout, stderr io.Writer) int {
	root := NewRootCommand(stdout, stderr, args)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	code := exitCode(err)
	if err != nil {
		fmt.Fprintln(stderr, "kaiwu:", err)
		if code == ExitUsage && cmd != nil {
			lang := defaultLang()
			if l, ok := langFromArgs(args); ok {
				lang = l
			}
			fmt.Fprintf(stderr, T(lang, "usage.hint")+"\n", cmd.CommandPath())
		}
	}
	return code
}
