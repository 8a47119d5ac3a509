package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/kaiwu-ai/kaiwu/engine/recipes"
)

// Config is what a run trains: a built-in recipe and its main knobs. Zero
// fields take the recipe's defaults (Recipe.Defaults).
type Config struct {
	// Recipe is fashion-mlp, fashion-cnn, tabular, adding-lstm or
	// poetry-gpt.
	Recipe string `json:"recipe"`
	// Epochs over the training set (not for poetry-gpt, which trains by
	// steps).
	Epochs int `json:"epochs,omitempty"`
	// Steps stops training after this many optimizer steps (0: no limit);
	// for poetry-gpt it is the length of training.
	Steps int `json:"steps,omitempty"`
	// Batch is the mini-batch size.
	Batch int `json:"batch,omitempty"`
	// LR is Adam's (peak) learning rate.
	LR float64 `json:"lr,omitempty"`
	// Seed makes the run reproducible (initialisation, shuffling, data).
	Seed uint64 `json:"seed,omitempty"`
	// Threads is the number of engine threads (0: as the process is set).
	Threads int `json:"threads,omitempty"`
	// TrainLimit and TestLimit cut the data set to its first N training
	// and test samples (fashion-*: images; adding-lstm: sequences; 0: the
	// recipe's full set).
	TrainLimit int `json:"train_limit,omitempty"`
	TestLimit  int `json:"test_limit,omitempty"`
}

// Limits on a Config.
const (
	MaxEpochs     = 1000
	MaxSteps      = 1_000_000
	MaxBatch      = 4096
	MaxThreads    = 256
	MaxTrainLimit = 1_000_000
	MaxSeed       = 1<<53 - 1 // exact in JSON numbers
)

// Recipe describes a built-in recipe.
type Recipe struct {
	Name string `json:"name"`
	// Description is a one-line English summary.
	Description string `json:"description"`
	// ByEpochs is false for recipes that train by steps (poetry-gpt).
	ByEpochs bool `json:"by_epochs"`
	// Limits reports whether train_limit and test_limit apply.
	Limits bool `json:"limits"`
	// Defaults is the configuration a run gets for zero fields.
	Defaults Config `json:"defaults"`
	// Metric names the final metric.
	Metric string `json:"metric"`
	// Data is the file or directory the recipe reads ("" when built in).
	Data string `json:"data,omitempty"`
	// Available reports whether Data is present; Missing says what is
	// missing when it is not.
	Available bool   `json:"available"`
	Missing   string `json:"missing,omitempty"`
}

// DataPaths are where the recipes find their data.
type DataPaths struct {
	// FashionDir holds the Fashion-MNIST IDX files (default
	// recipes.FashionDir, Debian's dataset-fashion-mnist).
	FashionDir string
	// TangPath is the tang300 fortune file (default recipes.TangPath,
	// Debian's fortunes-zh).
	TangPath string
}

func (d DataPaths) withDefaults() DataPaths {
	if d.FashionDir == "" {
		d.FashionDir = recipes.FashionDir
	}
	if d.TangPath == "" {
		d.TangPath = recipes.TangPath
	}
	return d
}

// RecipeNames lists the built-in recipes in display order.
func RecipeNames() []string {
	return []string{"tabular", "fashion-mlp", "fashion-cnn", "adding-lstm", "poetry-gpt"}
}

// Recipes describes every built-in recipe, with whether its data are
// present under paths.
func Recipes(paths DataPaths) []Recipe {
	out := make([]Recipe, 0, 5)
	for _, n := range RecipeNames() {
		r, _ := LookupRecipe(n, paths)
		out = append(out, r)
	}
	return out
}

// LookupRecipe describes the recipe name; false when there is none.
func LookupRecipe(name string, paths DataPaths) (Recipe, bool) {
	paths = paths.withDefaults()
	var r Recipe
	switch name {
	case "fashion-mlp":
		r = Recipe{Description: "MLP 784-256-10 on Fashion-MNIST", ByEpochs: true, Limits: true, Metric: "accuracy",
			Defaults: Config{Epochs: 10, Batch: 128, LR: 1e-3, Seed: 1}, Data: paths.FashionDir}
	case "fashion-cnn":
		r = Recipe{Description: "small CNN (conv32-pool-conv64-pool-fc128) on Fashion-MNIST", ByEpochs: true, Limits: true,
			Metric: "accuracy", Defaults: Config{Epochs: 5, Batch: 64, LR: 1e-3, Seed: 1}, Data: paths.FashionDir}
	case "tabular":
		r = Recipe{Description: "MLP regression on a messy housing CSV (built in)", ByEpochs: true, Metric: "r2",
			Defaults: Config{Epochs: 60, Batch: 32, LR: 1e-3, Seed: 1}}
	case "adding-lstm":
		r = Recipe{Description: "LSTM on the adding problem (sequences of length 50)", ByEpochs: true, Limits: true,
			Metric: "solved", Defaults: Config{Epochs: 12, Batch: 64, LR: 3e-3, Seed: 1, TrainLimit: 10000, TestLimit: 1000}}
	case "poetry-gpt":
		r = Recipe{Description: "character-level GPT on the 300 Tang poems", Metric: "perplexity",
			Defaults: Config{Steps: 600, Batch: 32, LR: 2e-3, Seed: 1}, Data: paths.TangPath}
	default:
		return Recipe{}, false
	}
	r.Name, r.Defaults.Recipe = name, name
	r.Available = true
	switch name {
	case "fashion-mlp", "fashion-cnn":
		for _, f := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
			p := filepath.Join(paths.FashionDir, f)
			if !exists(p) && !exists(p+".gz") {
				r.Available, r.Missing = false, p+".gz"
				break
			}
		}
	case "poetry-gpt":
		if !exists(paths.TangPath) {
			r.Available, r.Missing = false, paths.TangPath
		}
	}
	return r, true
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// orDefault returns v, or def when v is the zero value (the field was
// left out).
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// checkInt returns errs with a FieldError for field appended unless
// lo <= v <= hi; note, when set, says what a special value means
// ("0: all").
func checkInt(errs []FieldError, field string, v, lo, hi int, note string) []FieldError {
	if v >= lo && v <= hi {
		return errs
	}
	want := fmt.Sprintf("%d..%d", lo, hi)
	if note != "" {
		want += " (" + note + ")"
	}
	return append(errs, fieldErr(field, "%d: want %s", v, want))
}

// Validate checks c and fills in the recipe's defaults; the error is a
// *ConfigError naming every invalid field.
func (c Config) Validate() (Config, error) {
	rec, ok := LookupRecipe(c.Recipe, DataPaths{})
	if !ok {
		return c, &ConfigError{[]FieldError{fieldErr("recipe", "unknown recipe %q (want one of tabular, fashion-mlp, fashion-cnn, adding-lstm, poetry-gpt)", c.Recipe)}}
	}
	var errs []FieldError
	d := rec.Defaults
	if rec.ByEpochs {
		c.Epochs = orDefault(c.Epochs, d.Epochs)
		errs = checkInt(errs, "epochs", c.Epochs, 1, MaxEpochs, "")
		errs = checkInt(errs, "steps", c.Steps, 0, MaxSteps, "0: no limit")
	} else {
		if c.Epochs != 0 {
			errs = append(errs, fieldErr("epochs", "%s trains by steps: leave epochs out and set steps", c.Recipe))
		}
		c.Steps = orDefault(c.Steps, d.Steps)
		errs = checkInt(errs, "steps", c.Steps, 1, MaxSteps, "")
	}
	c.Batch = orDefault(c.Batch, d.Batch)
	errs = checkInt(errs, "batch", c.Batch, 1, MaxBatch, "")
	c.LR = orDefault(c.LR, d.LR)
	if !(c.LR > 0 && c.LR < 1) || math.IsNaN(c.LR) {
		errs = append(errs, fieldErr("lr", "%g: want a learning rate in (0, 1)", c.LR))
	}
	c.Seed = orDefault(c.Seed, d.Seed)
	if c.Seed > MaxSeed {
		errs = append(errs, fieldErr("seed", "%d: want 1..%d", c.Seed, uint64(MaxSeed)))
	}
	errs = checkInt(errs, "threads", c.Threads, 0, MaxThreads, "0: the process default")
	if rec.Limits {
		c.TrainLimit = orDefault(c.TrainLimit, d.TrainLimit)
		c.TestLimit = orDefault(c.TestLimit, d.TestLimit)
		errs = checkInt(errs, "train_limit", c.TrainLimit, 0, MaxTrainLimit, "0: all")
		errs = checkInt(errs, "test_limit", c.TestLimit, 0, MaxTrainLimit, "0: all")
	} else {
		if c.TrainLimit != 0 {
			errs = append(errs, fieldErr("train_limit", "%s has no sample limit: leave it out", c.Recipe))
		}
		if c.TestLimit != 0 {
			errs = append(errs, fieldErr("test_limit", "%s has no sample limit: leave it out", c.Recipe))
		}
	}
	if len(errs) > 0 {
		return c, &ConfigError{errs}
	}
	return c, nil
}

// trainContext runs the recipe of a validated c, reporting to progress,
// until it ends or ctx is done: then the error wraps ctx.Err() and says
// at which step the recipe stopped.
func trainContext(ctx context.Context, c Config, paths DataPaths, progress recipes.Progress) (recipes.Result, json.RawMessage, error) {
	paths = paths.withDefaults()
	var (
		res    recipes.Result
		report any
		err    error
	)
	switch c.Recipe {
	case "fashion-mlp", "fashion-cnn":
		fc := recipes.FashionConfig{Dir: paths.FashionDir, TrainLimit: c.TrainLimit, TestLimit: c.TestLimit,
			Epochs: c.Epochs, MaxSteps: c.Steps, Batch: c.Batch, LR: c.LR, Seed: c.Seed}
		f := recipes.FashionMLP
		if c.Recipe == "fashion-cnn" {
			f = recipes.FashionCNN
		}
		var fr recipes.FashionResult
		fr, err = f(ctx, fc, progress)
		res, report = fr.Result, fr
	case "tabular":
		res, err = recipes.TabularRegression(ctx, recipes.TabularConfig{Epochs: c.Epochs, MaxSteps: c.Steps, Batch: c.Batch,
			LR: c.LR, Seed: c.Seed}, progress)
		report = res
	case "adding-lstm":
		res, err = recipes.AddingLSTM(ctx, recipes.AddingConfig{Train: c.TrainLimit, Test: c.TestLimit, Epochs: c.Epochs,
			MaxSteps: c.Steps, Batch: c.Batch, LR: c.LR, Seed: c.Seed}, progress)
		report = res
	case "poetry-gpt":
		res, err = recipes.PoetryGPT(ctx, recipes.PoetryConfig{Path: paths.TangPath, Steps: c.Steps, Batch: c.Batch,
			LR: c.LR, Seed: c.Seed}, progress)
		report = res
	default:
		return res, nil, fmt.Errorf("lifecycle: unknown recipe %q", c.Recipe)
	}
	if err != nil {
		return res, nil, err
	}
	b, err := json.Marshal(report)
	if err != nil {
		return res, nil, fmt.Errorf("lifecycle: %s: encoding the report: %w", c.Recipe, err)
	}
	return res, b, nil
}

// metricsOf summarises a recipe's Result.
func metricsOf(r recipes.Result) *Metrics {
	return &Metrics{Metric: r.Metric, Value: r.TestMetric, HigherIsBetter: r.Metric != "perplexity",
		Baseline: r.Baseline, FirstLoss: r.FirstLoss, FinalLoss: r.FinalLoss, TestLoss: r.TestLoss,
		Steps: r.Steps, Seconds: r.Seconds, Parameters: r.Parameters, Model: r.Model}
}
