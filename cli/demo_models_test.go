package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/recipes"
)

func TestDemoTabularJSON(t *testing.T) {
	out, errOut, err := run(t, "demo", "tabular", "--json", "--epochs", "5")
	if err != nil {
		t.Fatal(err)
	}
	var r recipes.Result
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("demo tabular --json is not JSON (progress must go to stderr): %v\n%s", err, out)
	}
	if r.Recipe != "tabular-mlp" || r.Metric != "r2" || len(r.History) != 5 || r.TestMetric < 0.5 {
		t.Fatalf("unexpected result %+v", r)
	}
	if !strings.Contains(errOut, "/250)") {
		t.Fatalf("no progress bar on stderr: %q", errOut)
	}
}

func TestDemoLSTMTable(t *testing.T) {
	out, _, err := run(t, "demo", "lstm", "--length", "8", "--train", "256", "--test", "64", "--hidden", "8", "--epochs", "2", "--lang", "zh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"轮次", "解出率", "adding-lstm", "基线", "MSE"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestDemoPoetryTable(t *testing.T) {
	if _, err := os.Stat(recipes.TangPath); err != nil {
		t.Skipf("tang300 not installed (apt-get install fortunes-zh): %v", err)
	}
	out, _, err := run(t, "demo", "poetry", "--steps", "4", "--d-model", "32", "--layers", "1", "--heads", "2",
		"--context", "16", "--batch", "4", "--prompts", "春眠", "--chars", "8")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"poetry-gpt", "held-out perplexity", "sample 1", "春眠", "5/7-character"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestDemoFashionJSON(t *testing.T) {
	if _, err := os.Stat(recipes.FashionDir); err != nil {
		t.Skipf("Fashion-MNIST not installed (apt-get install dataset-fashion-mnist): %v", err)
	}
	out, _, err := run(t, "demo", "fashion", "--model", "mlp", "--steps", "5", "--train-limit", "1000", "--test-limit", "200", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r recipes.Result
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if r.Recipe != "fashion-mlp" || r.Steps != 5 || r.TrainSamples != 1000 || r.TestSamples != 200 {
		t.Fatalf("unexpected result %+v", r)
	}
}

func TestDemoFashionTimeToAccuracy(t *testing.T) {
	if _, err := os.Stat(recipes.FashionDir); err != nil {
		t.Skipf("Fashion-MNIST not installed (apt-get install dataset-fashion-mnist): %v", err)
	}
	args := []string{"demo", "fashion", "--model", "mlp", "--train-limit", "2000", "--test-limit", "500",
		"--target-accuracy", "0.5", "--eval-every", "5", "--epochs", "1"}
	out, _, err := run(t, append(args, "--json")...)
	if err != nil {
		t.Fatal(err)
	}
	var r recipes.FashionResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	x := r.TimeToAccuracy
	if x == nil || !x.Reached || x.Target != 0.5 || x.EvalEvery != 5 || x.Step%5 != 0 || x.Step != r.Steps || x.Accuracy < 0.5 {
		t.Fatalf("unexpected time to accuracy %+v (result %+v)", x, r.Result)
	}
	if !strings.Contains(out, `"time_to_accuracy":`) || !strings.Contains(out, `"recipe": "fashion-mlp"`) {
		t.Fatalf("JSON lacks the flattened result or the report:\n%s", out)
	}
	out, _, err = run(t, append(args, "--lang", "zh")...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"目标准确率", "50.00%", "达到于", "训练用时（不含评估）", "评估 "} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestDemoModelsRejectBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"demo", "fashion", "--model", "resnet"}, "--model"},
		{[]string{"demo", "fashion", "--data", "/no/such/dir"}, "dataset-fashion-mnist"},
		{[]string{"demo", "fashion", "--epochs", "0"}, "--epochs 0: want 1..1000"},
		{[]string{"demo", "fashion", "--epochs", "-3"}, "--epochs -3"},
		{[]string{"demo", "fashion", "--epochs", "1001"}, "--epochs 1001"},
		{[]string{"demo", "fashion", "--batch", "0"}, "--batch 0: want 1..65536"},
		{[]string{"demo", "fashion", "--model", "mlp", "--batch", "-1"}, "--batch -1"},
		{[]string{"demo", "fashion", "--steps", "-1"}, "--steps -1: want at least 0 (0: no limit)"},
		{[]string{"demo", "fashion", "--train-limit", "-5"}, "--train-limit -5"},
		{[]string{"demo", "fashion", "--test-limit", "-1"}, "--test-limit -1"},
		{[]string{"demo", "fashion", "--lr", "0"}, "--lr 0"},
		{[]string{"demo", "fashion", "--seed", "0"}, "--seed 0"},
		{[]string{"demo", "fashion", "--target-accuracy", "0"}, "--target-accuracy 0"},
		{[]string{"demo", "fashion", "--target-accuracy", "90"}, "--target-accuracy 90"},
		{[]string{"demo", "fashion", "--target-accuracy", "0.9", "--eval-every", "0"}, "--eval-every 0"},
		{[]string{"demo", "fashion", "--eval-every", "50"}, "--eval-every 50: only with --target-accuracy"},
		{[]string{"demo", "poetry", "--prompts", ","}, "--prompts"},
		{[]string{"demo", "poetry", "--steps", "0"}, "--steps"},
		{[]string{"demo", "poetry", "--batch", "0"}, "--batch 0"},
		{[]string{"demo", "poetry", "--context", "1"}, "--context 1"},
		{[]string{"demo", "poetry", "--d-model", "0"}, "--d-model 0"},
		{[]string{"demo", "poetry", "--d-model", "30", "--heads", "4"}, "--d-model 30: want a multiple of --heads 4"},
		{[]string{"demo", "poetry", "--layers", "-1"}, "--layers -1"},
		{[]string{"demo", "poetry", "--heads", "0"}, "--heads 0"},
		{[]string{"demo", "poetry", "--chars", "0"}, "--chars 0"},
		{[]string{"demo", "poetry", "--top-k", "0"}, "--top-k 0"},
		{[]string{"demo", "poetry", "--temperature", "0"}, "--temperature 0"},
		{[]string{"demo", "poetry", "--dropout", "1"}, "--dropout 1"},
		{[]string{"demo", "poetry", "--seed", "0"}, "--seed 0"},
		{[]string{"demo", "lstm", "--epochs", "0"}, "--epochs"},
		{[]string{"demo", "lstm", "--length", "1"}, "length"},
		{[]string{"demo", "lstm", "--hidden", "0"}, "--hidden 0"},
		{[]string{"demo", "lstm", "--train", "0"}, "--train 0"},
		{[]string{"demo", "lstm", "--test", "-1"}, "--test -1"},
		{[]string{"demo", "lstm", "--steps", "-1"}, "--steps -1"},
		{[]string{"demo", "lstm", "--batch", "0"}, "--batch 0"},
		{[]string{"demo", "lstm", "--lr", "0"}, "--lr 0"},
		{[]string{"demo", "tabular", "--epochs", "0"}, "--epochs"},
		{[]string{"demo", "tabular", "--lr", "-1"}, "learning rate"},
		{[]string{"demo", "tabular", "--hidden", "0"}, "--hidden 0"},
		{[]string{"demo", "tabular", "--batch", "-4"}, "--batch -4"},
		{[]string{"demo", "tabular", "--steps", "-2"}, "--steps -2"},
		{[]string{"demo", "tabular", "--seed", "0"}, "--seed 0"},
		{[]string{"demo", "mlp", "--turns", "0"}, "--turns 0"},
		{[]string{"demo", "mlp", "--noise", "-0.1"}, "--noise -0.1"},
	} {
		if _, _, err := run(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v should mention %q", c.args, err, c.want)
		}
	}
}

// TestDemoPoetryDropoutZero checks that --dropout 0 means no dropout
// rather than the recipe's default.
func TestDemoPoetryDropoutZero(t *testing.T) {
	if _, err := os.Stat(recipes.TangPath); err != nil {
		t.Skipf("tang300 not installed (apt-get install fortunes-zh): %v", err)
	}
	res := func(dropout string) recipes.Result {
		out, _, err := run(t, "demo", "poetry", "--steps", "2", "--d-model", "16", "--layers", "1", "--heads", "2",
			"--context", "8", "--batch", "2", "--prompts", "春", "--chars", "2", "--dropout", dropout, "--json")
		if err != nil {
			t.Fatal(err)
		}
		var r recipes.Result
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if a, b := res("0"), res("-1"); a.FinalLoss != b.FinalLoss || a.TestLoss != b.TestLoss {
		t.Errorf("--dropout 0 and --dropout -1 differ: %v/%v vs %v/%v", a.FinalLoss, a.TestLoss, b.FinalLoss, b.TestLoss)
	}
}

// cancelingWriter cancels a context at the first write that contains
// mark: the progress bar standing in for a user pressing Ctrl-C.
type cancelingWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	mark   string
	cancel context.CancelFunc
}

func (w *cancelingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if bytes.Contains(p, []byte(w.mark)) {
		w.cancel()
	}
	return w.buf.Write(p)
}

// TestDemoInterrupted runs demos whose context is canceled once their
// progress bar shows (as Ctrl-C cancels it): each stops at the next step,
// prints no result, and fails with an error that says where it stopped.
func TestDemoInterrupted(t *testing.T) {
	for _, c := range []struct {
		args       []string
		mark       string // canceled at the first stderr write holding it
		prefix, in string // the error starts with prefix and contains in
	}{
		{[]string{"demo", "tabular", "--epochs", "5"}, "/250", "interrupted: recipes: tabular-mlp: canceled at step ", " of 250 (epoch 1 of 5)"},
		{[]string{"demo", "tabular", "--epochs", "5", "--json"}, "/250", "interrupted: recipes: tabular-mlp: canceled at step ", " of 250 (epoch 1 of 5)"},
		{[]string{"demo", "lstm", "--length", "8", "--train", "256", "--test", "64", "--hidden", "8", "--epochs", "2"}, "/8",
			"interrupted: recipes: adding-lstm: canceled at step ", " of 8 (epoch "},
		// 800 training points in batches of 64: 13 steps per epoch; the
		// bar first shows after epoch 1.
		{[]string{"demo", "mlp", "--epochs", "200"}, "/200", "interrupted: train: canceled at step 13 of 2600 (epoch 2 of 200)", ""},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		errw := &cancelingWriter{mark: c.mark, cancel: cancel}
		var out bytes.Buffer
		root := NewRootCommand(&out, errw, c.args)
		root.SetArgs(c.args)
		err := root.ExecuteContext(ctx)
		cancel()
		if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), c.prefix) || !strings.Contains(err.Error(), c.in) {
			t.Fatalf("%v: error %v, want %q…%q", c.args, err, c.prefix, c.in)
		}
		if out.Len() > 0 {
			t.Fatalf("%v: an interrupted demo printed a result:\n%s", c.args, out.String())
		}
		if !strings.HasSuffix(errw.buf.String(), "\n") {
			t.Fatalf("%v: the error would not start on a line of its own: %q", c.args, errw.buf.String())
		}
	}
}
