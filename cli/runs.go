package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/lifecycle"
	"github.com/kaiwu-ai/kaiwu/workspace"
)

// This file holds `kaiwu runs list|show|start|cancel`: the training runs
// of a workspace (package lifecycle), the same runs the dashboard's
// Models page and /api/runs show. `start` trains in this process with a
// progress bar; Ctrl-C cancels the run (it is recorded as canceled).
// `cancel` asks whichever process trains a run to stop.

func init() {
	addMessages(map[string][2]string{
		"short.runs":        {"Training runs of the built-in models: list, show, start, cancel", "内置模型的训练任务：列出、查看、开始、取消"},
		"short.runs.list":   {"List the runs, newest first", "列出训练任务（最新在前）"},
		"short.runs.show":   {"Show one run: configuration, status, metrics, evaluations", "查看训练任务：配置、状态、指标、评估记录"},
		"short.runs.start":  {"Train a recipe (tabular, fashion-mlp, fashion-cnn, adding-lstm, poetry-gpt) with a progress bar", "训练一个配方（tabular、fashion-mlp、fashion-cnn、adding-lstm、poetry-gpt），显示进度条"},
		"short.runs.cancel": {"Ask a queued or running run to stop", "请求停止排队中或训练中的任务"},
		"runs.id":           {"run", "编号"},
		"runs.recipe":       {"recipe", "配方"},
		"runs.status":       {"status", "状态"},
		"runs.metric":       {"key metric", "关键指标"},
		"runs.duration":     {"duration", "用时"},
		"runs.by":           {"by", "发起人"},
		"runs.created":      {"created", "创建时间"},
		"runs.error":        {"error", "错误"},
		"runs.config":       {"configuration", "配置"},
		"runs.none":         {"no runs yet", "暂无训练任务"},
		"runs.canceling":    {"cancellation requested; the training process stops at its next step", "已请求取消；训练进程将在下一步停止"},
		"runs.flag.limit":   {"at most this many runs (0: all)", "最多显示条数（0：全部）"},
	})
}

func newRunsCommand(o *Options) *cobra.Command {
	var f wsFlags
	cmd := &cobra.Command{Use: "runs", Short: o.T("short.runs"),
		Long: `Training runs of the built-in recipes, stored in the workspace (--workspace PATH or
--database DSN, as for kaiwu workspace). The dashboard's Models page and /api/runs show the
same runs; kaiwu serve trains the ones started there.`}
	f.add(o, cmd)
	cmd.AddCommand(newRunsList(o, &f), newRunsShow(o, &f), newRunsStart(o, &f), newRunsCancel(o, &f))
	return cmd
}

// runMetric formats a run's key metric ("r2 0.8954"), or "—".
func runMetric(r lifecycle.Run) string {
	if r.Metrics == nil {
		return "—"
	}
	return r.Metrics.Metric + " " + lifecycle.FormatMetric(r.Metrics.Metric, r.Metrics.Value)
}

// runDuration formats how long a run trained.
func runDuration(r lifecycle.Run) string {
	d := r.Duration(time.Now())
	if d <= 0 {
		return "—"
	}
	return d.Round(100 * time.Millisecond).String()
}

func newRunsList(o *Options, f *wsFlags) *cobra.Command {
	limit := 50
	cmd := &cobra.Command{Use: "list", Aliases: []string{"ls"}, Short: o.T("short.runs.list"), Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if limit < 0 {
				return fmt.Errorf("--limit %d: want 0 (all) or more", limit)
			}
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				rs, err := ws.Runs(ctx, limit)
				if err != nil {
					return err
				}
				if !o.JSON && len(rs) == 0 {
					fmt.Fprintln(o.Out(), o.T("runs.none"))
					return nil
				}
				t := Table{Header: []string{o.T("runs.id"), o.T("runs.recipe"), o.T("runs.status"), o.T("runs.metric"),
					o.T("runs.duration"), o.T("runs.by"), o.T("runs.created")}, Right: map[int]bool{0: true, 4: true}}
				for _, r := range rs {
					t.Rows = append(t.Rows, []string{strconv.FormatInt(r.ID, 10), r.Recipe, string(r.Status), runMetric(r),
						runDuration(r), r.CreatedBy, fmtTime(r.CreatedAt)})
				}
				return o.render(rs, t)
			})
		}}
	cmd.Flags().IntVar(&limit, "limit", limit, o.T("runs.flag.limit"))
	return cmd
}

// parseRunID reads a run number argument.
func parseRunID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, fmt.Errorf("run %q: want a run number (1, 2, …; see kaiwu runs list)", s)
	}
	return id, nil
}

func newRunsShow(o *Options, f *wsFlags) *cobra.Command {
	return &cobra.Command{Use: "show RUN", Short: o.T("short.runs.show"), Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseRunID(args[0])
			if err != nil {
				return err
			}
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				r, err := ws.Run(ctx, id)
				if err != nil {
					return err
				}
				return showRun(o, r)
			})
		}}
}

// showRun prints a run: a summary table (and the evaluations), or JSON.
func showRun(o *Options, r lifecycle.Run) error {
	if o.JSON {
		return writeJSON(o.Out(), r)
	}
	c := r.Config
	cfg := fmt.Sprintf("epochs %d, steps %d, batch %d, lr %g, seed %d", c.Epochs, c.Steps, c.Batch, c.LR, c.Seed)
	if c.TrainLimit > 0 || c.TestLimit > 0 {
		cfg += fmt.Sprintf(", samples %d/%d", c.TrainLimit, c.TestLimit)
	}
	if c.Threads > 0 {
		cfg += fmt.Sprintf(", threads %d", c.Threads)
	}
	rows := [][]string{
		{o.T("runs.id"), strconv.FormatInt(r.ID, 10)},
		{o.T("runs.recipe"), r.Recipe},
		{o.T("runs.status"), string(r.Status)},
		{o.T("runs.config"), cfg},
		{o.T("runs.by"), r.CreatedBy},
		{o.T("runs.created"), fmtTime(r.CreatedAt)},
		{o.T("runs.duration"), runDuration(r)},
	}
	if r.Error != "" {
		rows = append(rows, []string{o.T("runs.error"), r.Error})
	}
	if m := r.Metrics; m != nil {
		f4 := func(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
		rows = append(rows, []string{o.T("demo.mlp.model"), m.Model}, []string{o.T("demo.mlp.params"), itoa(m.Parameters)},
			[]string{o.T("demo.steps"), itoa(m.Steps)}, []string{o.T("demo.first.loss"), f4(m.FirstLoss)},
			[]string{o.T("demo.final.loss"), f4(m.FinalLoss)}, []string{o.T("demo.test.loss"), f4(m.TestLoss)},
			[]string{o.T("metric." + m.Metric), lifecycle.FormatMetric(m.Metric, m.Value)})
	}
	if err := (Table{Rows: rows}).Write(o.Out()); err != nil {
		return err
	}
	return nil
}

func newRunsStart(o *Options, f *wsFlags) *cobra.Command {
	var c lifecycle.Config
	cmd := &cobra.Command{Use: "start RECIPE", Short: o.T("short.runs.start"), Args: cobra.ExactArgs(1),
		Long: `Train a built-in recipe in this process and store the run in the workspace, with a
progress bar (step, loss, ETA) on standard error. Flags left out take the recipe's defaults
(tabular: 60 epochs, batch 32, lr 1e-3; fashion-mlp: 10 epochs, batch 128; fashion-cnn:
5 epochs, batch 64; adding-lstm: 12 epochs of 10,000 sequences; poetry-gpt: 600 steps).
Ctrl-C cancels the run; it is recorded as canceled.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c.Recipe = args[0]
			if cmd.Flags().Changed("threads") {
				c.Threads = o.Threads
			}
			return f.with(cmd, func(ctx context.Context, ws *workspace.DB) error {
				sctx, stop := onInterrupt(ctx)
				defer stop()
				r, err := startRun(sctx, o, ws, c, f.who())
				if err != nil {
					return err
				}
				if err := showRun(o, r); err != nil {
					return err
				}
				if r.Status == lifecycle.StatusCanceled && sctx.Err() != nil {
					// Interrupted here (Ctrl-C): exit status 130.
					return fmt.Errorf("run %d %s: %s: %w", r.ID, r.Status, r.Error, context.Canceled)
				}
				if r.Status != lifecycle.StatusSucceeded {
					return fmt.Errorf("run %d %s: %s", r.ID, r.Status, r.Error)
				}
				return nil
			})
		}}
	fl := cmd.Flags()
	fl.IntVar(&c.Epochs, "epochs", 0, "training epochs (0: the recipe's default; not for poetry-gpt)")
	fl.IntVar(&c.Steps, "steps", 0, "stop after this many optimizer steps (0: no limit); poetry-gpt: the length of training")
	fl.IntVar(&c.Batch, "batch", 0, "mini-batch size (0: the recipe's default)")
	fl.Float64Var(&c.LR, "lr", 0, "Adam learning rate (0: the recipe's default)")
	fl.Uint64Var(&c.Seed, "seed", 0, "random seed (0: the recipe's default, 1)")
	fl.IntVar(&c.TrainLimit, "train-limit", 0, "fashion-*, adding-lstm: use the first N training samples (0: the recipe's)")
	fl.IntVar(&c.TestLimit, "test-limit", 0, "fashion-*, adding-lstm: use the first N test samples (0: the recipe's)")
	return cmd
}

// startRun trains c in this process with a progress bar on stderr, until
// it ends or ctx is done (then it is canceled), and returns the stored
// run.
func startRun(ctx context.Context, o *Options, ws *workspace.DB, c lifecycle.Config, who string) (lifecycle.Run, error) {
	m := lifecycle.NewManager(ws, lifecycle.Options{})
	defer m.Close()
	r, err := m.Start(ctx, c, who)
	if err != nil {
		var ce *lifecycle.ConfigError
		if errors.As(err, &ce) {
			// Name the flags: the fields are the JSON names.
			msg := ""
			for i, fe := range ce.Fields {
				if i > 0 {
					msg += "; "
				}
				msg += "--" + flagName(fe.Field) + ": " + fe.Detail
			}
			return r, errors.New(msg)
		}
		return r, err
	}
	_, events, unsubscribe, err := m.Subscribe(ctx, r.ID)
	if err != nil {
		return r, err
	}
	defer unsubscribe()
	var bar stepBar
	for done := events == nil; !done; {
		select {
		case ev, open := <-events:
			if !open {
				done = true
				break
			}
			p := ev.Progress
			bar.update(o, p.Total, p.Step, p.Epoch, p.Epochs, p.Loss)
		case <-ctx.Done():
			if _, err := m.Cancel(context.WithoutCancel(ctx), r.ID); err != nil && !errors.Is(err, lifecycle.ErrNotLive) {
				return r, err
			}
			ctx = context.WithoutCancel(ctx) // wait for the end below
		}
	}
	bar.finish()
	if err := m.Wait(context.WithoutCancel(ctx), r.ID); err != nil {
		return r, err
	}
	return ws.Run(context.WithoutCancel(ctx), r.ID)
}

// flagName is the flag of a Config JSON field (train_limit → train-limit).
func flagName(field string) string {
	switch field {
	case "train_limit":
		return "train-limit"
	case "test_limit":
		return "test-limit"
	case "recipe":
		return "recipe (the argument)"
	}
	return field
}

func newRunsCancel(o *Options, f *wsFlags) *cobra.Command {
	return &cobra.Command{Use: "cancel RUN", Short: o.T("short.runs.cancel"), Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseRunID(args[0])
			if err != nil {
				return err
			}
			return f.with(c, func(ctx context.Context, ws *workspace.DB) error {
				r, err := ws.RequestCancel(ctx, id)
				if err != nil {
					return err
				}
				if o.JSON {
					return writeJSON(o.Out(), r)
				}
				fmt.Fprintf(o.Out(), "run %d: %s\n", r.ID, o.T("runs.canceling"))
				return nil
			})
		}}
}
