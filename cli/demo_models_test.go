package cli

import (
	"encoding/json"
	"os"
	"strings"
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

func TestDemoModelsRejectBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"demo", "fashion", "--model", "resnet"}, "--model"},
		{[]string{"demo", "fashion", "--data", "/no/such/dir"}, "dataset-fashion-mnist"},
		{[]string{"demo", "poetry", "--prompts", ","}, "--prompts"},
		{[]string{"demo", "poetry", "--steps", "0"}, "--steps"},
		{[]string{"demo", "lstm", "--epochs", "0"}, "--epochs"},
		{[]string{"demo", "lstm", "--length", "1"}, "length"},
		{[]string{"demo", "tabular", "--epochs", "0"}, "--epochs"},
		{[]string{"demo", "tabular", "--lr", "-1"}, "learning rate"},
	} {
		if _, _, err := run(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v should mention %q", c.args, err, c.want)
		}
	}
}
