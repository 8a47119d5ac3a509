package recipes

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

// cancelCase runs a recipe with ctx and progress and returns its error.
type cancelCase struct {
	name string
	run  func(ctx context.Context, p Progress) error
	// stop reports whether to cancel after receiving u.
	stop func(u Update) bool
	want string // the whole error message
}

func tinyFashion() FashionConfig {
	return FashionConfig{Train: syntheticImages(512, 1), Test: syntheticImages(200, 2), MaxSteps: 16, Batch: 32}
}

func tinyPoetry(t *testing.T) PoetryConfig {
	return PoetryConfig{Poems: testPoems(t), Steps: 40, Batch: 8, Context: 16, DModel: 32, Heads: 2, Layers: 1,
		LR: 3e-3, EvalEvery: 20, Prompts: []string{"床前", "白日"}, SampleChars: 24}
}

func tinyAdding() AddingConfig {
	return AddingConfig{Length: 10, Train: 640, Test: 128, Hidden: 16, Epochs: 2, Batch: 32, LR: 1e-2}
}

func atStep(n int) func(Update) bool {
	return func(u Update) bool { return u.Step == n && u.Eval == nil }
}

// TestRecipesCancel cancels every recipe between steps, during its
// evaluations, while it samples and before it starts: each returns at
// once with an error that wraps context.Canceled and says where.
func TestRecipesCancel(t *testing.T) {
	fashion := func(f func(context.Context, FashionConfig, Progress) (FashionResult, error), mod func(*FashionConfig)) func(context.Context, Progress) error {
		return func(ctx context.Context, p Progress) error {
			c := tinyFashion()
			if mod != nil {
				mod(&c)
			}
			_, err := f(ctx, c, p)
			return err
		}
	}
	tta := func(c *FashionConfig) { c.TargetAccuracy, c.EvalEvery, c.MaxSteps, c.Epochs = 0.999, 4, 0, 2 }
	poetry := func(ctx context.Context, p Progress) error { _, err := PoetryGPT(ctx, tinyPoetry(t), p); return err }
	adding := func(ctx context.Context, p Progress) error { _, err := AddingLSTM(ctx, tinyAdding(), p); return err }
	tabular := func(ctx context.Context, p Progress) error {
		_, err := TabularRegression(ctx, TabularConfig{Epochs: 2}, p)
		return err
	}
	cases := []cancelCase{
		{"fashion-mlp", fashion(FashionMLP, nil), atStep(3), "recipes: fashion-mlp: canceled at step 3 of 16 (epoch 1 of 10): context canceled"},
		{"fashion-cnn", fashion(FashionCNN, nil), atStep(3), "recipes: fashion-cnn: canceled at step 3 of 16 (epoch 1 of 5): context canceled"},
		{"fashion-mlp evaluating", fashion(FashionMLP, tta), atStep(4), "recipes: fashion-mlp: canceled at step 4 of 32, evaluating: context canceled"},
		{"tabular", tabular, atStep(3), "recipes: tabular-mlp: canceled at step 3 of 100 (epoch 1 of 2): context canceled"},
		{"adding", adding, atStep(3), "recipes: adding-lstm: canceled at step 3 of 40 (epoch 1 of 2): context canceled"},
		{"adding validating", adding, atStep(20), "recipes: adding-lstm: canceled at step 20 of 40 (epoch 1 of 2), validating after epoch 1: context canceled"},
		{"poetry", poetry, atStep(3), "recipes: poetry-gpt: canceled at step 3 of 40: context canceled"},
		{"poetry evaluating", poetry, atStep(20), "recipes: poetry-gpt: canceled at step 20 of 40, evaluating: context canceled"},
		{"poetry sampling", poetry, func(u Update) bool { return u.Eval != nil && u.Step == 40 },
			"recipes: poetry-gpt: canceled while sampling (prompt 1 of 2, after 40 steps): context canceled"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var after []Update
			canceled := false
			err := c.run(ctx, func(u Update) {
				if canceled {
					after = append(after, u)
				} else if c.stop(u) {
					cancel()
					canceled = true
				}
			})
			if !errors.Is(err, context.Canceled) || err.Error() != c.want {
				t.Fatalf("error %v\nwant %s", err, c.want)
			}
			if len(after) > 0 {
				t.Fatalf("%d updates after the cancellation, first %+v", len(after), after[0])
			}
		})
	}
	// A context that is done before the start stops the data loading.
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		run  func(context.Context, Progress) error
		want string
	}{
		{fashion(FashionCNN, nil), "recipes: fashion-cnn: canceled while loading the data"},
		{tabular, "recipes: tabular-mlp: canceled while loading the data"},
		{adding, "recipes: adding-lstm: canceled while generating the data"},
		{poetry, "recipes: poetry-gpt: canceled while loading the data"},
	} {
		if err := c.run(done, nil); !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("canceled before the start: error %v, want %q", err, c.want)
		}
	}
}

// TestPoetryUpdatesCarryScheduleAndEvaluations checks that PoetryGPT's
// Updates report the learning rate of the warmup-cosine schedule at each
// step and, after each evaluation, the new history entry.
func TestPoetryUpdatesCarryScheduleAndEvaluations(t *testing.T) {
	cfg := tinyPoetry(t)
	var steps, evals []Update
	r, err := PoetryGPT(context.Background(), cfg, func(u Update) {
		if u.Eval != nil {
			evals = append(evals, u)
		} else {
			steps = append(steps, u)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 40 || len(evals) != 2 {
		t.Fatalf("%d step updates and %d evaluation updates, want 40 and 2", len(steps), len(evals))
	}
	// 40 steps: 2 warmup steps (5%), then a cosine from 3e-3 to 3e-4.
	const base, warm, total = 3e-3, 2, 40
	for i, u := range steps {
		s := float64(i) // the step's index from 0
		want := base * (s + 1) / warm
		if i >= warm {
			want = base/10 + (base-base/10)*0.5*(1+math.Cos(math.Pi*(s-warm)/(total-warm)))
		}
		if u.Step != i+1 || math.Abs(u.LR-want) > 1e-15 {
			t.Fatalf("step %d: learning rate %g, want %g", u.Step, u.LR, want)
		}
	}
	if steps[1].LR != base || math.Abs(steps[39].LR-(base/10+(base-base/10)*0.5*(1+math.Cos(math.Pi*37/38)))) > 1e-15 {
		t.Fatalf("the schedule peaks at %g (step 2) and ends at %g", steps[1].LR, steps[39].LR)
	}
	for i, e := range evals {
		if *e.Eval != r.History[i] || e.Metric != "perplexity" || e.Step != r.History[i].Step || e.LR != steps[e.Step-1].LR {
			t.Fatalf("evaluation update %d: %+v (%+v), want the history entry %+v", i, e, *e.Eval, r.History[i])
		}
	}
}

// TestFitUpdatesCarryEvaluations checks the evaluation Updates of an
// epoch-based recipe (one per epoch) and of a time-to-accuracy run (one
// per interval), and the constant learning rate.
func TestFitUpdatesCarryEvaluations(t *testing.T) {
	var evals []Update
	collect := func(u Update) {
		if u.LR != 1e-2 && u.LR != 1e-3 {
			t.Errorf("update %+v: learning rate %g", u, u.LR)
		}
		if u.Eval != nil {
			evals = append(evals, u)
		}
	}
	r, err := AddingLSTM(context.Background(), tinyAdding(), collect)
	if err != nil {
		t.Fatal(err)
	}
	if len(evals) != 2 || *evals[0].Eval != r.History[0] || *evals[1].Eval != r.History[1] || evals[1].Metric != "solved" {
		t.Fatalf("evaluation updates %+v, history %+v", evals, r.History)
	}
	evals = nil
	c := tinyFashion()
	c.TargetAccuracy, c.EvalEvery, c.MaxSteps, c.Epochs = 0.999, 5, 12, 1
	// Wrong test labels keep the target out of reach.
	te := *c.Test
	te.Labels = make([]int, len(c.Test.Labels))
	for i, y := range c.Test.Labels {
		te.Labels[i] = (y + 1) % 10
	}
	c.Test = &te
	f, err := FashionMLP(context.Background(), c, collect)
	if err != nil {
		t.Fatal(err)
	}
	// Evaluations at steps 5 and 10, and where training ended (12).
	if len(evals) != 3 || len(f.History) != 3 || evals[2].Step != 12 {
		t.Fatalf("evaluation updates %+v, history %+v", evals, f.History)
	}
	for i, e := range evals {
		if *e.Eval != f.History[i] || e.Metric != "accuracy" {
			t.Fatalf("evaluation update %d: %+v, history %+v", i, *e.Eval, f.History)
		}
	}
}
