// Package cli holds kaiwu's cobra commands. Each command parses its flags,
// calls a pure domain or engine function, and renders the result as an
// aligned table (default) or as stable JSON (--json).
package cli

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"

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
					return err
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
				return fmt.Errorf("--threads %d: want a positive integer", n)
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
	return root
}

const rootLong = `kaiwu (开物) is a workbench for large-model startups.

It builds the model — a pure-Go deep-learning engine with autograd and fast
SGEMM kernels — and, as it grows, builds the company: financing, compute
economics, market and execution.

kaiwu 是为大模型创业公司打造的工作台：既造模型（纯 Go 深度学习引擎），
也建公司（融资、算力经济、市场与执行）。`

// Main runs the CLI with os.Args and returns the process exit code.
func Main() int {
	root := NewRootCommand(os.Stdout, os.Stderr, os.Args[1:])
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "kaiwu:", err)
		return 1
	}
	return 0
}
