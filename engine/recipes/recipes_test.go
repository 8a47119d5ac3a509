package recipes

import (
	"context"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// syntheticImages returns n 28×28 grayscale images of 10 classes: class
// k is a bright 8×8 square at one of ten positions, plus noise. Tests
// use it where Debian's Fashion-MNIST files may be absent (CI).
func syntheticImages(n int, seed uint64) *data.Images {
	rng := tensor.NewRNG(seed)
	d := &data.Images{X: make([]float32, n*28*28), Labels: make([]int, n), C: 1, H: 28, W: 28, Classes: 10}
	for i := 0; i < n; i++ {
		k := rng.Intn(10)
		d.Labels[i] = k
		img := d.X[i*784 : (i+1)*784]
		for j := range img {
			img[j] = float32(0.3 * rng.Float64())
		}
		r0, c0 := 2+(k/5)*12, 1+(k%5)*5
		for r := r0; r < r0+8; r++ {
			for c := c0; c < c0+5; c++ {
				img[r*28+c] = 1
			}
		}
	}
	return d
}

// checkTraining asserts the common promises of a Result: the loss went
// down, the history and metric are filled in and finite.
func checkTraining(t *testing.T, r Result, metric string) {
	t.Helper()
	if r.Metric != metric || len(r.History) == 0 || r.Steps < 1 || r.Parameters < 1 || r.Seconds <= 0 {
		t.Fatalf("incomplete result %+v", r)
	}
	for _, v := range []float64{r.FirstLoss, r.FinalLoss, r.TestLoss, r.TestMetric, r.Baseline} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("non-finite value in %+v", r)
		}
	}
	if !(r.FinalLoss < r.FirstLoss) {
		t.Fatalf("%s: loss did not decrease: first %.4f, final %.4f", r.Recipe, r.FirstLoss, r.FinalLoss)
	}
	last := r.History[len(r.History)-1]
	if last.TestMetric != r.TestMetric || last.TestLoss != r.TestLoss || last.Step != r.Steps {
		t.Fatalf("%s: final metrics %+v disagree with the last history entry %+v", r.Recipe, r, last)
	}
}

func TestFashionRecipesLearnSyntheticImages(t *testing.T) {
	cfg := FashionConfig{Train: syntheticImages(512, 1), Test: syntheticImages(200, 2), MaxSteps: 16, Batch: 32}
	for _, f := range []struct {
		name string
		run  func(context.Context, FashionConfig, Progress) (FashionResult, error)
	}{{"mlp", FashionMLP}, {"cnn", FashionCNN}} {
		t.Run(f.name, func(t *testing.T) {
			var updates []Update
			r, err := f.run(context.Background(), cfg, func(u Update) { updates = append(updates, u) })
			if err != nil {
				t.Fatal(err)
			}
			checkTraining(t, r.Result, "accuracy")
			if r.TimeToAccuracy != nil {
				t.Fatalf("time to accuracy %+v without a target", r.TimeToAccuracy)
			}
			if r.Steps != 16 || r.TrainSamples != 512 || r.TestSamples != 200 || r.Baseline != 0.1 {
				t.Fatalf("unexpected result %+v", r)
			}
			// One Update per step, then one for the evaluation after the
			// (only) epoch.
			if len(updates) != 17 || updates[15].Step != 16 || updates[15].Steps != 16 {
				t.Fatalf("progress: %d updates, last %+v", len(updates), updates[len(updates)-1])
			}
			for i, u := range updates[:16] {
				if u.Step != i+1 || u.LR != 1e-3 || u.Eval != nil || u.Metric != "" {
					t.Fatalf("update %d: %+v", i, u)
				}
			}
			if e := updates[16]; e.Eval == nil || *e.Eval != r.History[0] || e.Metric != "accuracy" || e.Step != 16 || e.LR != 1e-3 {
				t.Fatalf("evaluation update %+v, want the history entry %+v", e, r.History[0])
			}
			if r.TestMetric < 0.3 {
				t.Fatalf("test accuracy %.3f after 16 steps on an easy synthetic task", r.TestMetric)
			}
		})
	}
}

func TestFashionCNNLayout(t *testing.T) {
	m, err := NewFashionCNN(tensor.NewRNG(1), 1, 28, 28, 10)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range m.Parameters() {
		names = append(names, p.Name)
	}
	// torch.nn.Sequential indices: conv 0, relu 1, pool 2, conv 3, relu 4,
	// pool 5, flatten 6, linear 7, relu 8, linear 9.
	want := "0.weight 0.bias 3.weight 3.bias 7.weight 7.bias 9.weight 9.bias"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("state_dict names %q, want %q", got, want)
	}
	if n := m.Parameters()[4].Tensor.Shape(); n[1] != 1600 {
		t.Fatalf("first linear layer %v, want in-features 1600", n)
	}
	if _, err := NewFashionCNN(tensor.NewRNG(1), 1, 8, 8, 10); err == nil {
		t.Fatal("8×8 images: want an error")
	}
}

// TestFashionMLPRealData trains briefly on the real Fashion-MNIST files
// (a few seconds) when Debian's dataset-fashion-mnist is installed.
func TestFashionMLPRealData(t *testing.T) {
	if _, err := os.Stat(FashionDir); err != nil {
		t.Skipf("Fashion-MNIST not installed at %s (apt-get install dataset-fashion-mnist): %v", FashionDir, err)
	}
	r, err := FashionMLP(context.Background(), FashionConfig{Epochs: 1, TrainLimit: 12000, TestLimit: 2000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkTraining(t, r.Result, "accuracy")
	if r.TestMetric < 0.7 {
		t.Fatalf("test accuracy %.3f after one epoch on 12,000 images, want ≥ 0.70 (chance is 0.10)", r.TestMetric)
	}
}

// TestFashionTimeToAccuracy checks a time-to-accuracy run on the easy
// synthetic images: evaluations every EvalEvery steps, a stop at the first
// one at or above the target, and a report when it is never reached.
func TestFashionTimeToAccuracy(t *testing.T) {
	base := FashionConfig{Train: syntheticImages(512, 1), Test: syntheticImages(200, 2), Batch: 32, Epochs: 2}
	for _, c := range []struct {
		name    string
		run     func(context.Context, FashionConfig, Progress) (FashionResult, error)
		target  float64
		every   int
		reached bool
	}{
		{"mlp reached", FashionMLP, 0.5, 4, true},
		{"cnn reached", FashionCNN, 0.5, 4, true},
		// The test labels are wrong (shifted by one), so the accuracy
		// stays low. 2 epochs of 16 steps: 32 is no multiple of 5, so
		// the run ends with an extra evaluation at step 32.
		{"mlp never", FashionMLP, 0.5, 5, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := base
			cfg.TargetAccuracy, cfg.EvalEvery = c.target, c.every
			if !c.reached {
				te := *cfg.Test
				te.Labels = make([]int, len(cfg.Test.Labels))
				for i, y := range cfg.Test.Labels {
					te.Labels[i] = (y + 1) % 10
				}
				cfg.Test = &te
			}
			r, err := c.run(context.Background(), cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			x := r.TimeToAccuracy
			if x == nil {
				t.Fatal("no time-to-accuracy report")
			}
			if x.Reached != c.reached || x.Target != c.target || x.EvalEvery != c.every {
				t.Fatalf("report %+v: want reached %v", x, c.reached)
			}
			if x.Evaluations != len(r.History) || x.Step != r.Steps || x.Accuracy != r.TestMetric {
				t.Fatalf("report %+v disagrees with the result %+v", x, r.Result)
			}
			for i, h := range r.History {
				want := (i + 1) * c.every
				if i == len(r.History)-1 && !c.reached {
					want = 32
				}
				if h.Step != want || h.Epoch != (h.Step-1)/16+1 {
					t.Fatalf("evaluation %d at step %d (epoch %d), want step %d: %+v", i, h.Step, h.Epoch, want, r.History)
				}
				if (h.TestMetric >= c.target) != (c.reached && i == len(r.History)-1) {
					t.Fatalf("evaluation %d: accuracy %.3f against target %.2f: %+v", i, h.TestMetric, c.target, r.History)
				}
			}
			if x.Epoch != float64(x.Step)/16 || !(x.Seconds > 0) || !(x.EvalSeconds > 0) || x.BestAccuracy < x.Accuracy {
				t.Fatalf("report %+v", x)
			}
			if c.reached && r.Steps >= 32 {
				t.Fatalf("did not stop early: %d steps", r.Steps)
			}
		})
	}
}

func TestFashionConfigErrors(t *testing.T) {
	imgs := FashionConfig{Train: syntheticImages(64, 1), Test: syntheticImages(32, 2)}
	for _, c := range []struct {
		mod  func(*FashionConfig)
		want string
	}{
		{func(c *FashionConfig) { c.Epochs = -1 }, "epochs -1"},
		{func(c *FashionConfig) { c.Batch = -2 }, "batch -2"},
		{func(c *FashionConfig) { c.MaxSteps = -1 }, "max steps -1"},
		{func(c *FashionConfig) { c.TargetAccuracy = 1.5 }, "target accuracy 1.5"},
		{func(c *FashionConfig) { c.TargetAccuracy = -0.5 }, "target accuracy -0.5"},
		{func(c *FashionConfig) { c.TargetAccuracy, c.EvalEvery = 0.9, -3 }, "evaluation interval -3"},
		{func(c *FashionConfig) { c.EvalEvery = 10 }, "needs a target accuracy"},
	} {
		cfg := imgs
		c.mod(&cfg)
		if _, err := FashionMLP(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v should mention %q", cfg, err, c.want)
		}
	}
}

func TestFashionMissingData(t *testing.T) {
	_, err := FashionMLP(context.Background(), FashionConfig{Dir: t.TempDir()}, nil)
	if err == nil || !strings.Contains(err.Error(), "dataset-fashion-mnist") {
		t.Fatalf("error %v should say how to install the data", err)
	}
}

func testPoems(t *testing.T) []data.Poem {
	t.Helper()
	poems, err := data.TangPoems("../data/testdata/poems.txt")
	if err != nil {
		t.Fatal(err)
	}
	// Ten copies so that one poem in ten is held out.
	var out []data.Poem
	for i := 0; i < 5; i++ {
		out = append(out, poems...)
	}
	return out
}

func TestPoetryGPTTiny(t *testing.T) {
	cfg := PoetryConfig{Poems: testPoems(t), Steps: 40, Batch: 8, Context: 16, DModel: 32, Heads: 2, Layers: 1,
		LR: 3e-3, EvalEvery: 20, Prompts: []string{"床前", "白日"}, SampleChars: 24}
	var last Update
	r, err := PoetryGPT(context.Background(), cfg, func(u Update) { last = u })
	if err != nil {
		t.Fatal(err)
	}
	checkTraining(t, r, "perplexity")
	if len(r.History) != 2 || r.History[0].Step != 20 || last.Step != 40 || last.Steps != 40 {
		t.Fatalf("history %+v, last update %+v", r.History, last)
	}
	if len(r.Samples) != 2 || !strings.HasPrefix(r.Samples[0], "床前") || !strings.HasPrefix(r.Samples[1], "白日") {
		t.Fatalf("samples %q should continue the prompts", r.Samples)
	}
	if !(r.TestMetric < r.Baseline*4) {
		t.Fatalf("held-out perplexity %.1f vs unigram %.1f", r.TestMetric, r.Baseline)
	}
	if _, err := PoetryGPT(context.Background(), PoetryConfig{Poems: cfg.Poems, DModel: 30, Heads: 4}, nil); err == nil {
		t.Fatal("d_model 30 with 4 heads: want an error")
	}
}

// TestPoetryWindows checks that the windows dataset serves, in any order,
// the windows at the offsets one generator draws in sequence.
func TestPoetryWindows(t *testing.T) {
	ids := make([]int, 300)
	for i := range ids {
		ids[i] = i
	}
	const n, ctx = 200, 16
	d, err := newPoetryWindows(context.Background(), ids, ctx, n, 5)
	if err != nil {
		t.Fatal(err)
	}
	r := tensor.NewRNG(5)
	s := data.Sample{Tokens: make([]int, ctx), Labels: make([]int, ctx)}
	want := make([]int, n)
	for i := range want {
		want[i] = r.Intn(len(ids) - ctx)
	}
	for _, i := range []int{199, 0, 63, 64, 65, 130, 128} {
		if err := d.Get(i, s); err != nil {
			t.Fatal(err)
		}
		if s.Tokens[0] != want[i] || s.Tokens[ctx-1] != want[i]+ctx-1 || s.Labels[0] != want[i]+1 {
			t.Fatalf("window %d starts at %d (labels at %d), want %d", i, s.Tokens[0], s.Labels[0], want[i])
		}
	}
	if err := d.Get(n, s); err == nil {
		t.Error("window out of range: no error")
	}
}

func TestSamplePoemDeterministic(t *testing.T) {
	cfg := PoetryConfig{Poems: testPoems(t), Steps: 5, Batch: 4, Context: 16, DModel: 16, Heads: 2, Layers: 1,
		Prompts: []string{"床"}, SampleChars: 12}
	a, err := PoetryGPT(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := PoetryGPT(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Samples[0] != b.Samples[0] || a.FinalLoss != b.FinalLoss {
		t.Fatalf("same seed, different runs: %q (%.6f) vs %q (%.6f)", a.Samples[0], a.FinalLoss, b.Samples[0], b.FinalLoss)
	}
}

func TestPoemShape(t *testing.T) {
	for _, c := range []struct {
		s    string
		want float64
	}{
		{"床前明月光，疑是地上霜。\n举头望明月，低头思故乡。", 1},
		{"故人西辞黄鹤楼，烟花三月下扬州。", 1},
		{"春眠不觉晓，处处闻啼鸟鸟。", 0.5},
		{"《静夜思》\n李白", 0},
		{"", 0},
	} {
		if got := PoemShape(c.s); got != c.want {
			t.Errorf("PoemShape(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}

func TestAddingProblemData(t *testing.T) {
	const n, T = 200, 20
	x, y := AddingProblem(n, T, 5)
	for i := 0; i < n; i++ {
		var marks []int
		sum := float32(0)
		for j := 0; j < T; j++ {
			v, m := x[(i*T+j)*2], x[(i*T+j)*2+1]
			if v < 0 || v >= 1 {
				t.Fatalf("sequence %d step %d: value %v outside [0, 1)", i, j, v)
			}
			if m == 1 {
				marks = append(marks, j)
				sum += v
			}
		}
		if len(marks) != 2 || marks[0] >= T/2 || marks[1] < T/2 || sum != y[i] {
			t.Fatalf("sequence %d: markers at %v, target %v, marked sum %v", i, marks, y[i], sum)
		}
	}
	x2, _ := AddingProblem(n, T, 5)
	if x2[17] != x[17] {
		t.Fatal("same seed, different data")
	}
}

func TestAddingLSTMShort(t *testing.T) {
	r, err := AddingLSTM(context.Background(), AddingConfig{Length: 10, Train: 640, Test: 128, Hidden: 16, Epochs: 2, Batch: 32, LR: 1e-2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkTraining(t, r, "solved")
	if len(r.History) != 2 || r.Steps != 40 {
		t.Fatalf("history %+v, steps %d", r.History, r.Steps)
	}
	if !(r.Baseline > 0.1 && r.Baseline < 0.25) {
		t.Fatalf("baseline MSE %.3f, want ≈ 1/6", r.Baseline)
	}
	if _, err := AddingLSTM(context.Background(), AddingConfig{Length: 1}, nil); err == nil {
		t.Fatal("length 1: want an error")
	}
}

func TestLastStepRegressorNames(t *testing.T) {
	m, err := NewLastStepRegressor(tensor.NewRNG(1), 2, 8, 1)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range m.Parameters() {
		names = append(names, p.Name)
	}
	want := "lstm.weight_ih_l0 lstm.weight_hh_l0 lstm.bias_ih_l0 lstm.bias_hh_l0 head.weight head.bias"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("names %q, want %q", got, want)
	}
	x, _ := tensor.Zeros(3, 5, 2)
	out, err := m.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	if s := out.Shape(); len(s) != 2 || s[0] != 3 || s[1] != 1 {
		t.Fatalf("output shape %v, want [3 1]", s)
	}
}

func TestTabularRegression(t *testing.T) {
	r, err := TabularRegression(context.Background(), TabularConfig{Epochs: 15}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkTraining(t, r, "r2")
	if r.TrainSamples != 1600 || r.TestSamples != 400 || r.Model != "mlp 8-64-64-1" {
		t.Fatalf("unexpected result %+v", r)
	}
	if r.TestMetric < 0.85 {
		t.Fatalf("test R² %.3f after 15 epochs, want ≥ 0.85", r.TestMetric)
	}
}

func TestHousingIsMessy(t *testing.T) {
	tab, err := data.ParseCSV(strings.NewReader(string(HousingCSV)), "housing.csv", data.CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows() != 2000 {
		t.Fatalf("%d rows, want 2000", tab.Rows())
	}
	for _, name := range []string{"area_m2", "age_years", "distance_km", "district"} {
		c := tab.Column(name)
		miss := 0
		for _, m := range c.Missing {
			if m {
				miss++
			}
		}
		if miss < 40 || miss > 140 {
			t.Errorf("%s: %d missing values, want about 4%% of 2000", name, miss)
		}
	}
	big := 0
	for i, v := range tab.Column("area_m2").Num {
		if !tab.Column("area_m2").Missing[i] && v > 1000 {
			big++
		}
	}
	if big < 5 {
		t.Errorf("%d area outliers, want about 1%%", big)
	}
	if c := tab.Column("price_k"); slices.Contains(c.Missing, true) {
		t.Error("the target has missing values")
	}
}

func TestTabularErrors(t *testing.T) {
	if _, err := TabularRegression(context.Background(), TabularConfig{Path: "no/such.csv"}, nil); err == nil {
		t.Fatal("missing file: want an error")
	}
	short := t.TempDir() + "/short.csv"
	if err := os.WriteFile(short, []byte("area_m2,rooms,age_years,distance_km,district,price_k\n1,1,1,1,north,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := TabularRegression(context.Background(), TabularConfig{Path: short}, nil); err == nil || !strings.Contains(err.Error(), "too few") {
		t.Fatalf("one row: error %v", err)
	}
	if _, err := TabularRegression(context.Background(), TabularConfig{LR: -1}, nil); err == nil {
		t.Fatal("negative learning rate: want an error")
	}
}
