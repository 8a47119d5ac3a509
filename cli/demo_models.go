package cli

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kaiwu-ai/kaiwu/engine/recipes"
	"github.com/kaiwu-ai/kaiwu/lifecycle"
)

// `kaiwu demo fashion|poetry|lstm|tabular`: the engine's real-model
// recipes (engine/recipes) with a progress bar and a result table.
func init() {
	demoCommands = append(demoCommands, newDemoFashion, newDemoPoetry, newDemoLSTM, newDemoTabular)
	addMessages(map[string][2]string{
		"short.demo.fashion": {"Train an MLP or a small CNN on Fashion-MNIST (Debian's dataset-fashion-mnist)", "在 Fashion-MNIST（Debian 的 dataset-fashion-mnist）上训练多层感知机或小型卷积网络"},
		"short.demo.poetry":  {"Train a character-level GPT on the 300 Tang poems and write poems", "在唐诗三百首上训练字符级 GPT 并作诗"},
		"short.demo.lstm":    {"Train an LSTM on the adding problem (sequences of length 50)", "在加法问题（长度 50 的序列）上训练 LSTM"},
		"short.demo.tabular": {"Clean, normalise and regress a messy housing CSV with an MLP", "清洗、标准化一份有缺失与异常值的房价 CSV，并用多层感知机回归"},
		"demo.recipe":        {"recipe", "配方"},
		"demo.samples":       {"train / test", "训练 / 测试"},
		"demo.lr":            {"learning rate", "学习率"},
		"demo.steps":         {"steps", "步数"},
		"demo.first.loss":    {"first loss", "初始损失"},
		"demo.final.loss":    {"final training loss", "最终训练损失"},
		"demo.test.loss":     {"test loss", "测试损失"},
		"demo.baseline":      {"baseline", "基线"},
		"demo.poem.shape":    {"5/7-character clauses", "五言/七言句占比"},
		"demo.sample":        {"sample", "样例"},
		"demo.step":          {"step", "步"},
		"metric.accuracy":    {"test accuracy", "测试准确率"},
		"metric.r2":          {"test R²", "测试 R²"},
		"metric.solved":      {"solved (|error| < 0.04)", "解出率（误差 < 0.04）"},
		"metric.perplexity":  {"held-out perplexity", "留出集困惑度"},
		"demo.tta.target":    {"target accuracy", "目标准确率"},
		"demo.tta.reached":   {"reached at", "达到于"},
		"demo.tta.at":        {"step %d (epoch %.2f)", "第 %d 步（第 %.2f 轮）"},
		"demo.tta.not":       {"not reached by step %d (best %s)", "至第 %d 步未达到（最高 %s）"},
		"demo.tta.time":      {"training time (evaluation excluded)", "训练用时（不含评估）"},
		"demo.tta.eval":      {"evaluation time", "评估用时"},
		"demo.tta.evals":     {"%d evaluations, every %d steps", "评估 %d 次，每 %d 步一次"},
	})
}

// demoRun wraps a recipe with a progress bar on stderr (with ETA) and
// renders its Result as a history table and a summary table (or JSON).
// Ctrl-C stops the recipe (see demoRunOutput).
func demoRun(cmd *cobra.Command, o *Options, run func(context.Context, recipes.Progress) (recipes.Result, error)) error {
	return demoRunOutput(cmd, o, func(ctx context.Context, p recipes.Progress) (demoOutput, error) {
		r, err := run(ctx, p)
		return demoOutput{json: r, res: r}, err
	})
}

// demoOutput is what a demo shows: json for --json; otherwise res's
// history (by step rather than epoch when bySteps) and summary, with
// extra rows before the summary's time.
type demoOutput struct {
	json    any
	res     recipes.Result
	bySteps bool
	extra   [][]string
}

// demoRunOutput is demoRun for recipes that report more than a Result.
// The recipe runs with cmd's context, which Ctrl-C (SIGINT) and SIGTERM
// cancel: the recipe then stops at its next step and the demo fails with
// "interrupted: " and the recipe's error, which says where it stopped.
func demoRunOutput(cmd *cobra.Command, o *Options, run func(context.Context, recipes.Progress) (demoOutput, error)) error {
	ctx, stop := interruptible(cmd)
	defer stop()
	var bar stepBar
	out, err := run(ctx, func(u recipes.Update) {
		bar.update(o, u.Steps, u.Step, u.Epoch, u.Epochs, u.Loss)
	})
	if err != nil {
		if bar.bar != nil {
			// Leave the bar where it stopped, and the error on a line of
			// its own.
			_ = bar.bar.Exit()
			fmt.Fprintln(o.Err())
		}
		return interrupted(ctx, err)
	}
	bar.finish()
	if o.JSON {
		return o.render(out.json, Table{})
	}
	if err := demoHistory(o, out.res, out.bySteps).Write(o.Out()); err != nil {
		return err
	}
	fmt.Fprintln(o.Out())
	sum := demoSummary(o, out.res)
	// The time row stays last.
	n := len(sum.Rows)
	sum.Rows = append(append(sum.Rows[:n-1:n-1], out.extra...), sum.Rows[n-1])
	return sum.Write(o.Out())
}

func demoHistory(o *Options, r recipes.Result, bySteps bool) Table {
	bySteps = bySteps || r.Epochs == 0
	first := o.T("epoch")
	if bySteps {
		first = o.T("demo.step")
	}
	t := Table{Header: []string{first, o.T("loss"), o.T("demo.test.loss"), o.T("metric." + r.Metric)},
		Right: map[int]bool{0: true, 1: true, 2: true, 3: true}}
	// At most about a dozen rows: every k-th entry and the last.
	k := max(1, (len(r.History)+11)/12)
	for i, h := range r.History {
		if i%k != k-1 && i != len(r.History)-1 {
			continue
		}
		n := h.Epoch
		if bySteps {
			n = h.Step
		}
		t.Rows = append(t.Rows, []string{itoa(n), strconv.FormatFloat(h.Loss, 'f', 4, 64),
			strconv.FormatFloat(h.TestLoss, 'f', 4, 64), lifecycle.FormatMetric(r.Metric, h.TestMetric)})
	}
	return t
}

func demoSummary(o *Options, r recipes.Result) Table {
	f := func(x float64, p int) string { return strconv.FormatFloat(x, 'f', p, 64) }
	length := itoa(r.Steps)
	if r.Epochs > 0 {
		length = fmt.Sprintf("%d %s, %s", r.Epochs, o.T("epoch"), length)
	}
	rows := [][]string{
		{o.T("demo.recipe"), r.Recipe},
		{o.T("demo.mlp.dataset"), r.Dataset},
		{o.T("demo.samples"), fmt.Sprintf("%d / %d", r.TrainSamples, r.TestSamples)},
		{o.T("demo.mlp.model"), r.Model},
		{o.T("demo.mlp.params"), itoa(r.Parameters)},
		{o.T("demo.mlp.optim"), fmt.Sprintf("%s, %s %g, %s %d", r.Optimizer, o.T("demo.lr"), r.LR, o.T("batch"), r.Batch)},
		{o.T("demo.steps"), length},
		{o.T("demo.first.loss"), f(r.FirstLoss, 4)},
		{o.T("demo.final.loss"), f(r.FinalLoss, 4)},
		{o.T("demo.test.loss"), f(r.TestLoss, 4)},
		{o.T("metric." + r.Metric), lifecycle.FormatMetric(r.Metric, r.TestMetric)},
		{o.T("demo.baseline"), lifecycle.FormatMetric(r.Metric, r.Baseline)},
	}
	if r.Metric == "solved" || r.Metric == "r2" {
		rows[len(rows)-1][1] = "MSE " + f(r.Baseline, 4)
	}
	if len(r.Samples) > 0 {
		rows = append(rows, []string{o.T("demo.poem.shape"), f(100*r.PoemShape, 0) + "%"})
		for i, s := range r.Samples {
			for j, line := range strings.Split(s, "\n") {
				k := ""
				if j == 0 {
					k = fmt.Sprintf("%s %d", o.T("demo.sample"), i+1)
				}
				rows = append(rows, []string{k, line})
			}
		}
	}
	rows = append(rows, []string{o.T("demo.mlp.time"), f(r.Seconds, 1) + " s"})
	return Table{Rows: rows}
}

func newDemoFashion(o *Options) *cobra.Command {
	var c recipes.FashionConfig
	var model string
	var seed uint64
	cmd := &cobra.Command{
		Use:   "fashion",
		Short: T(o.Lang, "short.demo.fashion"),
		Long: "Train on Fashion-MNIST (60,000 training and 10,000 test images of clothing) with a fixed\n" +
			"recipe, as bench/pytorch/recipes/fashion.py does in PyTorch:\n\n" +
			"  cnn: Conv(1→32,3)+ReLU+MaxPool → Conv(32→64,3)+ReLU+MaxPool → Linear(1600→128)+ReLU →\n" +
			"       Linear(128→10); Adam lr 1e-3, batch 64, 5 epochs (≈ 90.8% test accuracy)\n" +
			"  mlp: Linear(784→256)+ReLU → Linear(256→10); Adam lr 1e-3, batch 128, 10 epochs (≈ 89%)\n\n" +
			"With --target-accuracy A it measures the time to accuracy: the accuracy on the whole test\n" +
			"set is measured every --eval-every steps (not after every epoch), training stops at the\n" +
			"first measurement ≥ A (--epochs is then the limit), and the training time up to that point\n" +
			"is reported without the evaluation time (bench/time_to_accuracy.py compares with PyTorch).\n\n" +
			"The data come from Debian's dataset-fashion-mnist (--data to read another directory).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var f func(context.Context, recipes.FashionConfig, recipes.Progress) (recipes.FashionResult, error)
			switch model {
			case "cnn":
				f = recipes.FashionCNN
			case "mlp":
				f = recipes.FashionMLP
			default:
				return fmt.Errorf("--model %q: want cnn or mlp", model)
			}
			if err := validateFashionFlags(cmd.Flags(), &c, seed); err != nil {
				return err
			}
			c.Seed = seed
			return demoRunOutput(cmd, o, func(ctx context.Context, p recipes.Progress) (demoOutput, error) {
				r, err := f(ctx, c, p)
				return demoOutput{json: r, res: r.Result, bySteps: r.TimeToAccuracy != nil, extra: ttaRows(o, r.TimeToAccuracy)}, err
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&model, "model", "cnn", "cnn or mlp")
	fl.StringVar(&c.Dir, "data", recipes.FashionDir, "directory of the Fashion-MNIST IDX files")
	fl.IntVar(&c.Epochs, "epochs", 0, "training epochs (default 5 for cnn, 10 for mlp)")
	fl.IntVar(&c.MaxSteps, "steps", 0, "stop after this many optimizer steps (0: no limit)")
	fl.IntVar(&c.Batch, "batch", 0, "mini-batch size (default 64 for cnn, 128 for mlp)")
	fl.Float64Var(&c.LR, "lr", 1e-3, "Adam learning rate")
	fl.IntVar(&c.TrainLimit, "train-limit", 0, "use only the first N training images (0: all)")
	fl.IntVar(&c.TestLimit, "test-limit", 0, "use only the first N test images (0: all)")
	fl.Float64Var(&c.TargetAccuracy, "target-accuracy", 0, "stop at this test accuracy (a fraction, e.g. 0.90) and report the time to reach it")
	fl.IntVar(&c.EvalEvery, "eval-every", recipes.DefaultEvalEvery, "with --target-accuracy: evaluate on the test set every N optimizer steps")
	fl.Uint64Var(&seed, "seed", 1, "random seed (initialisation, shuffling)")
	return cmd
}

// validateFashionFlags rejects values the recipe would silently replace
// by its defaults (0) or misread (negative): epochs and batch default by
// model, so they are checked only when given.
func validateFashionFlags(fl *pflag.FlagSet, c *recipes.FashionConfig, seed uint64) error {
	var rs []intRange
	if fl.Changed("epochs") {
		rs = append(rs, intRange{"epochs", &c.Epochs, 1, 1000, ""})
	}
	if fl.Changed("batch") {
		rs = append(rs, intRange{"batch", &c.Batch, 1, 65536, ""})
	}
	rs = append(rs, intRange{"steps", &c.MaxSteps, 0, math.MaxInt, "0: no limit"},
		intRange{"train-limit", &c.TrainLimit, 0, math.MaxInt, "0: all"},
		intRange{"test-limit", &c.TestLimit, 0, math.MaxInt, "0: all"},
		intRange{"eval-every", &c.EvalEvery, 1, math.MaxInt, ""})
	if err := checkTraining(c.LR, seed, rs...); err != nil {
		return err
	}
	if fl.Changed("target-accuracy") && !(c.TargetAccuracy > 0 && c.TargetAccuracy <= 1) {
		return fmt.Errorf("--target-accuracy %g: want a fraction in (0, 1], e.g. 0.90", c.TargetAccuracy)
	}
	if c.TargetAccuracy == 0 {
		if fl.Changed("eval-every") {
			return fmt.Errorf("--eval-every %d: only with --target-accuracy (otherwise the test set is evaluated after every epoch)", c.EvalEvery)
		}
		c.EvalEvery = 0
	}
	return nil
}

// checkTraining checks the flags the recipe demos share, in order: the
// integer flags rs, --lr and --seed.
func checkTraining(lr float64, seed uint64, rs ...intRange) error {
	if err := checkRanges(rs...); err != nil {
		return err
	}
	if err := checkLR(lr); err != nil {
		return err
	}
	return checkSeed(seed)
}

// checkLR checks an Adam learning rate flag.
func checkLR(lr float64) error {
	if !(lr > 0 && lr < 10) {
		return fmt.Errorf("--lr %g: want a learning rate in (0, 10)", lr)
	}
	return nil
}

// checkSeed rejects --seed 0, which the recipes would silently turn into 1.
func checkSeed(seed uint64) error {
	if seed == 0 {
		return fmt.Errorf("--seed 0: want a positive seed (0 would silently mean 1)")
	}
	return nil
}

// ttaRows are the summary rows of a time-to-accuracy run (none for nil).
func ttaRows(o *Options, x *recipes.TimeToAccuracy) [][]string {
	if x == nil {
		return nil
	}
	f := func(v float64, p int) string { return strconv.FormatFloat(v, 'f', p, 64) }
	at := fmt.Sprintf(o.T("demo.tta.at"), x.Step, x.Epoch)
	if !x.Reached {
		at = fmt.Sprintf(o.T("demo.tta.not"), x.Step, lifecycle.FormatMetric("accuracy", x.BestAccuracy))
	}
	return [][]string{
		{o.T("demo.tta.target"), lifecycle.FormatMetric("accuracy", x.Target)},
		{o.T("demo.tta.reached"), at},
		{o.T("demo.tta.time"), fmt.Sprintf("%s s (%s ms/%s)", f(x.Seconds, 2), f(x.MSPerStep, 1), o.T("demo.step"))},
		{o.T("demo.tta.eval"), fmt.Sprintf("%s s (%s)", f(x.EvalSeconds, 2), fmt.Sprintf(o.T("demo.tta.evals"), x.Evaluations, x.EvalEvery))},
	}
}

func newDemoPoetry(o *Options) *cobra.Command {
	var c recipes.PoetryConfig
	var prompts string
	cmd := &cobra.Command{
		Use:   "poetry",
		Short: T(o.Lang, "short.demo.poetry"),
		Long: "Train a character-level GPT (3 layers, d_model 192, 4 heads, context 64, dropout 0.1) on the\n" +
			"verses of the 300 Tang poems (Debian's fortunes-zh, tang300) for 600 steps of 32 windows\n" +
			"(Adam lr 2e-3, warmup and\n" +
			"cosine decay), report the held-out perplexity, then continue each prompt with temperature\n" +
			"0.8, top-k 20 sampling. bench/pytorch/recipes/poetry.py is the same recipe in PyTorch.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c.Prompts = nil
			for _, p := range strings.Split(prompts, ",") {
				if p = strings.TrimSpace(p); p != "" {
					c.Prompts = append(c.Prompts, p)
				}
			}
			if len(c.Prompts) == 0 {
				return fmt.Errorf("--prompts %q: want at least one prompt", prompts)
			}
			if err := checkRanges(intRange{"steps", &c.Steps, 1, 1000000, ""},
				intRange{"batch", &c.Batch, 1, 65536, ""}, intRange{"context", &c.Context, 2, 1 << 16, ""},
				intRange{"d-model", &c.DModel, 1, 1 << 16, ""}, intRange{"layers", &c.Layers, 1, 1024, ""},
				intRange{"heads", &c.Heads, 1, 1024, ""}, intRange{"chars", &c.SampleChars, 1, 1 << 20, ""},
				intRange{"top-k", &c.TopK, 1, math.MaxInt, ""}); err != nil {
				return err
			}
			if c.DModel%c.Heads != 0 {
				return fmt.Errorf("--d-model %d: want a multiple of --heads %d", c.DModel, c.Heads)
			}
			if !(c.Temperature > 0 && c.Temperature <= 100) {
				return fmt.Errorf("--temperature %g: want a positive temperature (at most 100)", c.Temperature)
			}
			if !(c.Dropout < 1) {
				return fmt.Errorf("--dropout %g: want a probability below 1 (0 or negative: none)", c.Dropout)
			}
			if err := checkSeed(c.Seed); err != nil {
				return err
			}
			if c.Dropout == 0 {
				c.Dropout = -1 // the recipe reads 0 as "the default, 0.1"
			}
			return demoRun(cmd, o, func(ctx context.Context, p recipes.Progress) (recipes.Result, error) {
				return recipes.PoetryGPT(ctx, c, p)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&c.Path, "data", recipes.TangPath, "the tang300 fortune file")
	fl.IntVar(&c.Steps, "steps", 600, "optimizer steps")
	fl.Float64Var(&c.Dropout, "dropout", 0.1, "dropout in the transformer blocks (0 or negative: none)")
	fl.IntVar(&c.Batch, "batch", 32, "windows per step")
	fl.IntVar(&c.Context, "context", 64, "context length (characters)")
	fl.IntVar(&c.DModel, "d-model", 192, "model width")
	fl.IntVar(&c.Layers, "layers", 3, "transformer blocks")
	fl.IntVar(&c.Heads, "heads", 4, "attention heads")
	fl.StringVar(&prompts, "prompts", "春眠,明月,白日,秋风", "comma-separated prompts to continue")
	fl.IntVar(&c.SampleChars, "chars", 48, "most characters generated per prompt")
	fl.Float64Var(&c.Temperature, "temperature", 0.8, "sampling temperature")
	fl.IntVar(&c.TopK, "top-k", 20, "sample among the k most likely characters")
	fl.Uint64Var(&c.Seed, "seed", 1, "random seed (initialisation, batches, sampling)")
	return cmd
}

func newDemoLSTM(o *Options) *cobra.Command {
	var c recipes.AddingConfig
	cmd := &cobra.Command{
		Use:   "lstm",
		Short: T(o.Lang, "short.demo.lstm"),
		Long: "The adding problem (Hochreiter & Schmidhuber 1997): each sequence step holds a random\n" +
			"value and a marker; the answer is the sum of the two marked values. An LSTM (hidden 64)\n" +
			"reads the sequence and a linear layer answers from its last output; MSE, Adam lr 3e-3,\n" +
			"batch 64, 12 epochs of 10,000 sequences. Always answering 1 scores MSE ≈ 0.167; a sequence\n" +
			"counts as solved when the answer is within 0.04.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkTraining(c.LR, c.Seed, intRange{"length", &c.Length, 2, 100000, ""},
				intRange{"hidden", &c.Hidden, 1, 1 << 16, ""}, intRange{"train", &c.Train, 1, math.MaxInt, ""},
				intRange{"test", &c.Test, 1, math.MaxInt, ""}, intRange{"epochs", &c.Epochs, 1, 100000, ""},
				intRange{"steps", &c.MaxSteps, 0, math.MaxInt, "0: no limit"},
				intRange{"batch", &c.Batch, 1, 65536, ""}); err != nil {
				return err
			}
			return demoRun(cmd, o, func(ctx context.Context, p recipes.Progress) (recipes.Result, error) {
				return recipes.AddingLSTM(ctx, c, p)
			})
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&c.Length, "length", 50, "sequence length")
	fl.IntVar(&c.Hidden, "hidden", 64, "LSTM hidden size")
	fl.IntVar(&c.Train, "train", 10000, "training sequences")
	fl.IntVar(&c.Test, "test", 1000, "test sequences")
	fl.IntVar(&c.Epochs, "epochs", 12, "training epochs")
	fl.IntVar(&c.MaxSteps, "steps", 0, "stop after this many optimizer steps (0: no limit)")
	fl.IntVar(&c.Batch, "batch", 64, "mini-batch size")
	fl.Float64Var(&c.LR, "lr", 3e-3, "Adam learning rate")
	fl.Uint64Var(&c.Seed, "seed", 1, "random seed (data, initialisation, shuffling)")
	return cmd
}

func newDemoTabular(o *Options) *cobra.Command {
	var c recipes.TabularConfig
	cmd := &cobra.Command{
		Use:   "tabular",
		Short: T(o.Lang, "short.demo.tabular"),
		Long: "Regress price_k on a housing CSV with missing values and outliers (built in: 2,000\n" +
			"synthetic flats; --data for a file with the same columns). Every fifth row is held out;\n" +
			"median/mode imputation, IQR clipping, one-hot district and z-scores are fitted on the\n" +
			"training rows; an MLP 8-64-64-1 trains with MSE, Adam lr 1e-3, batch 32, 60 epochs.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkTraining(c.LR, c.Seed, intRange{"hidden", &c.Hidden, 1, 1 << 16, ""},
				intRange{"epochs", &c.Epochs, 1, 100000, ""},
				intRange{"steps", &c.MaxSteps, 0, math.MaxInt, "0: no limit"},
				intRange{"batch", &c.Batch, 1, 65536, ""}); err != nil {
				return err
			}
			return demoRun(cmd, o, func(ctx context.Context, p recipes.Progress) (recipes.Result, error) {
				return recipes.TabularRegression(ctx, c, p)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&c.Path, "data", "", "CSV file (default: the built-in housing data)")
	fl.IntVar(&c.Hidden, "hidden", 64, "width of the two hidden layers")
	fl.IntVar(&c.Epochs, "epochs", 60, "training epochs")
	fl.IntVar(&c.MaxSteps, "steps", 0, "stop after this many optimizer steps (0: no limit)")
	fl.IntVar(&c.Batch, "batch", 32, "mini-batch size")
	fl.Float64Var(&c.LR, "lr", 1e-3, "Adam learning rate")
	fl.Uint64Var(&c.Seed, "seed", 1, "random seed (initialisation, shuffling)")
	return cmd
}
