package cli

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/compute/calibrate"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/recipes"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// `kaiwu bench cnn|fashion-cnn|lstm|gru|gpt`: one training step of the
// layer workloads that engine/nn's BenchmarkCNNStep,
// BenchmarkFashionCNNStep, BenchmarkLSTMStep, BenchmarkGRUStep and
// BenchmarkGPTMiniStep time and bench/pytorch/{cnn,fashion_cnn,lstm,gru,
// gpt}.py time in PyTorch. The three sides build the same model and run
// the same step:
//
//	cnn, fashion-cnn: zero grad, forward, cross-entropy, backward (no optimizer)
//	lstm, gru:        zero grad, forward, MSE, backward, Adam lr 1e-3
//	gpt:              zero grad, forward, cross-entropy, backward, Adam lr 3e-4
func init() {
	addMessages(map[string][2]string{
		"short.bench.cnn":         {"Time one training step of a LeNet-style CNN on 28×28 images", "测量 28×28 输入 LeNet 式卷积网络单步训练时间"},
		"short.bench.fashion_cnn": {"Time one training step of the Fashion-MNIST recipe's CNN (conv32-pool-conv64-pool-fc128)", "测量 Fashion-MNIST 配方卷积网络（conv32-pool-conv64-pool-fc128）单步训练时间"},
		"short.bench.lstm":        {"Time one training step of a 2-layer LSTM (hidden 256, sequence 64)", "测量两层 LSTM（隐藏 256，序列 64）单步训练时间"},
		"short.bench.gru":         {"Time one training step of a 2-layer GRU (hidden 256, sequence 64)", "测量两层 GRU（隐藏 256，序列 64）单步训练时间"},
		"short.bench.gpt":         {"Time one training step of a GPT-mini (4 layers, d_model 256, context 128)", "测量 GPT-mini（4 层，d_model 256，上下文 128）单步训练时间"},
	})
}

// rnnShape and gptShape size the lstm/gru and gpt workloads; the flags'
// defaults are the shapes of the Go benchmarks and the PyTorch scripts.
type rnnShape struct{ Batch, Seq, Input, Hidden, Layers int }

type gptShape struct{ Batch, Context, DModel, Heads, Layers, Vocab int }

// modelStep is one prepared training step and the floating-point work it
// does (the convention of the PyTorch scripts: 3× the forward GEMM and
// convolution multiply-adds, ×2 flops each).
type modelStep struct {
	run   func() error
	flops float64
}

// newCNNStep builds the LeNet of engine/nn's BenchmarkCNNStep (PyTorch's
// layout: Conv2d(1,6,5,pad 2), ReLU, MaxPool2d(2), Conv2d(6,16,5), ReLU,
// MaxPool2d(2), Flatten, Linear(400,120), ReLU, Linear(120,84), ReLU,
// Linear(84,10)) on random 28×28 inputs; a step is zero grad, forward,
// cross-entropy and backward, without an optimizer update.
func newCNNStep(batch int, arena *tensor.Arena) (modelStep, error) {
	rng := tensor.NewRNG(1)
	c1, err := nn.NewConv2d(rng, 1, 6, [2]int{5, 5}, tensor.ConvParams{Padding: [2]int{2, 2}}, true)
	if err != nil {
		return modelStep{}, err
	}
	c2, err := nn.NewConv2d(rng, 6, 16, [2]int{5, 5}, tensor.ConvParams{}, true)
	if err != nil {
		return modelStep{}, err
	}
	var fc [3]*nn.Linear
	for i, s := range [3][2]int{{400, 120}, {120, 84}, {84, 10}} {
		if fc[i], err = nn.NewLinear(rng, s[0], s[1], true); err != nil {
			return modelStep{}, err
		}
	}
	pool := func() nn.Module { return &nn.MaxPool2d{PoolParams: tensor.PoolParams{Kernel: [2]int{2, 2}}} }
	m := &nn.Sequential{Layers: []nn.Module{
		c1, nn.ReLU{}, pool(), c2, nn.ReLU{}, pool(), nn.NewFlatten(),
		fc[0], nn.ReLU{}, fc[1], nn.ReLU{}, fc[2],
	}}
	return newImageStep(rng, m, batch, arena, cnnFLOPs(batch))
}

// newImageStep is the step of the image benchmarks: m on random
// [batch, 1, 28, 28] inputs drawn from rng, against the targets 0..9 in
// turn; a step is zero grad, forward, cross-entropy and backward, without
// an optimizer update. flops is the work of one step.
func newImageStep(rng *tensor.RNG, m nn.Module, batch int, arena *tensor.Arena, flops float64) (modelStep, error) {
	params := nn.Tensors(m)
	x, err := tensor.Randn(rng, batch, 1, 28, 28)
	if err != nil {
		return modelStep{}, err
	}
	targets := make([]int, batch)
	for i := range targets {
		targets[i] = i % 10
	}
	run := func() error {
		arena.Reset()
		for _, p := range params {
			p.ZeroGrad()
		}
		y, err := m.Forward(x)
		if err != nil {
			return err
		}
		loss, err := tensor.CrossEntropy(y, targets)
		if err != nil {
			return err
		}
		return loss.Backward()
	}
	return modelStep{run: run, flops: flops}, nil
}

// cnnFLOPs is bench/pytorch/cnn.py's count: 6× the forward multiply-adds.
func cnnFLOPs(batch int) float64 {
	fwd := float64(batch) * (28*28*6*25 + 10*10*16*6*25 + 400*120 + 120*84 + 84*10)
	return 6 * fwd
}

// newFashionCNNStep builds engine/nn's BenchmarkFashionCNNStep: the
// Fashion-MNIST recipe's CNN (recipes.NewFashionCNN: Conv2d(1,32,3)+ReLU,
// MaxPool2d(2), Conv2d(32,64,3)+ReLU, MaxPool2d(2), Flatten,
// Linear(1600,128), ReLU, Linear(128,10)) on random 28×28 inputs; a step
// is zero grad, forward, cross-entropy and backward, without an optimizer
// update.
func newFashionCNNStep(batch int, arena *tensor.Arena) (modelStep, error) {
	rng := tensor.NewRNG(1)
	m, err := recipes.NewFashionCNN(rng, 1, 28, 28, 10)
	if err != nil {
		return modelStep{}, err
	}
	return newImageStep(rng, m, batch, arena, fashionCNNFLOPs(batch))
}

// fashionCNNFLOPs is bench/pytorch/fashion_cnn.py's count: 6× the forward
// multiply-adds (conv1 26·26·32·9, conv2 11·11·64·32·9, fc 1600·128 and
// 128·10 per image).
func fashionCNNFLOPs(batch int) float64 {
	fwd := float64(batch) * (26*26*32*9 + 11*11*64*32*9 + 1600*128 + 128*10)
	return 6 * fwd
}

// newRNNStep builds engine/nn's BenchmarkLSTMStep (mode nn.LSTM) or
// BenchmarkGRUStep (nn.GRU): a recurrent network (not batch first) on
// random [seq, batch, input] data against random [seq, batch, hidden]
// targets; a step is zero grad, forward, MSE, backward and Adam (lr 1e-3).
func newRNNStep(mode nn.RNNMode, s rnnShape, arena *tensor.Arena) (modelStep, error) {
	rng := tensor.NewRNG(1)
	r, err := nn.NewRNN(rng, mode, nn.RNNConfig{InputSize: s.Input, HiddenSize: s.Hidden, NumLayers: s.Layers})
	if err != nil {
		return modelStep{}, err
	}
	opt, err := optim.NewAdam(nn.Tensors(r), 1e-3)
	if err != nil {
		return modelStep{}, err
	}
	x, err := tensor.Randn(rng, s.Seq, s.Batch, s.Input)
	if err != nil {
		return modelStep{}, err
	}
	y, err := tensor.Randn(rng, s.Seq, s.Batch, s.Hidden)
	if err != nil {
		return modelStep{}, err
	}
	run := func() error {
		arena.Reset()
		opt.ZeroGrad()
		out, err := r.Forward(x)
		if err != nil {
			return err
		}
		loss, err := tensor.MSE(out, y)
		if err != nil {
			return err
		}
		if err := loss.Backward(); err != nil {
			return err
		}
		return opt.Step()
	}
	return modelStep{run: run, flops: rnnFLOPs(mode, s)}, nil
}

// rnnFLOPs is bench/pytorch/{lstm,gru}.py's count: three passes of the
// input and recurrent GEMMs of every layer, 6·T·B·Σ G·H·(in+H) with G
// gates (LSTM 4, GRU 3).
func rnnFLOPs(mode nn.RNNMode, s rnnShape) float64 {
	gates := 4.0
	if mode == nn.GRU {
		gates = 3
	}
	sum := 0.0
	for l := 0; l < s.Layers; l++ {
		in := s.Input
		if l > 0 {
			in = s.Hidden
		}
		sum += gates * float64(s.Hidden) * float64(in+s.Hidden)
	}
	return 6 * float64(s.Seq) * float64(s.Batch) * sum
}

// newGPTStep builds engine/nn's BenchmarkGPTMiniStep: nn.NewGPT (pre-norm,
// GELU, FFN 4·d_model, no dropout, untied head) on random token ids and
// targets; a step is zero grad, forward, cross-entropy, backward and Adam
// (lr 3e-4).
func newGPTStep(s gptShape, arena *tensor.Arena) (modelStep, error) {
	rng := tensor.NewRNG(1)
	g, err := nn.NewGPT(rng, nn.GPTConfig{Vocab: s.Vocab, Context: s.Context, DModel: s.DModel, Heads: s.Heads, Layers: s.Layers})
	if err != nil {
		return modelStep{}, err
	}
	var params []*tensor.Tensor
	for _, p := range g.Parameters() {
		params = append(params, p.Tensor)
	}
	opt, err := optim.NewAdam(params, 3e-4)
	if err != nil {
		return modelStep{}, err
	}
	n := s.Batch * s.Context
	ids, tgts := make([]int, n), make([]int, n)
	for i := range ids {
		ids[i], tgts[i] = rng.Intn(s.Vocab), rng.Intn(s.Vocab)
	}
	run := func() error {
		arena.Reset()
		opt.ZeroGrad()
		loss, err := g.Loss(ids, tgts, s.Batch, s.Context)
		if err != nil {
			return err
		}
		if err := loss.Backward(); err != nil {
			return err
		}
		return opt.Step()
	}
	return modelStep{run: run, flops: gptFLOPs(s)}, nil
}

// gptFLOPs is bench/pytorch/gpt.py's count: 6 flops per token and weight
// of the blocks (12·d²) and the head (d·vocab), plus the attention
// products (QKᵀ and AV, forward and backward, without the causal halving).
func gptFLOPs(s gptShape) float64 {
	tok, d, l := float64(s.Batch*s.Context), float64(s.DModel), float64(s.Layers)
	return 6*tok*(l*12*d*d+d*float64(s.Vocab)) + 3*l*4*tok*float64(s.Context)*d
}

// timeModelStep times a step built by build (best of rounds rounds of at
// least 200 ms, after one warm-up step) under a tensor arena, as the Go
// benchmarks do, and counts the heap allocations of the timed steps.
func timeModelStep(op string, batch, threads, rounds int, build func(*tensor.Arena) (modelStep, error)) (BenchResult, error) {
	// The model and data live on the heap; each step's tensors come from
	// the arena, which the step resets first.
	arena := tensor.NewArena()
	s, err := build(arena)
	if err != nil {
		return BenchResult{}, fmt.Errorf("bench %s: %w", op, err)
	}
	defer tensor.UseArena(arena)()
	// The first call is TimeBest's warm-up (it fills the arena, the
	// gradient buffers and the optimizer state); allocations are counted
	// from the end of it, over every timed step.
	var before, after runtime.MemStats
	calls := 0
	step := func() error {
		if err := s.run(); err != nil {
			return err
		}
		calls++
		if calls == 1 {
			runtime.ReadMemStats(&before)
		}
		return nil
	}
	sec, err := calibrate.TimeBest(context.Background(), step, rounds, 200*time.Millisecond)
	if err != nil {
		return BenchResult{}, fmt.Errorf("bench %s: %w", op, err)
	}
	runtime.ReadMemStats(&after)
	allocs := float64(after.Mallocs-before.Mallocs) / float64(max(calls-1, 1))
	return BenchResult{Op: op, Batch: batch, Threads: threads, GFLOPS: s.flops / sec / 1e9, MS: sec * 1e3,
		AllocsPerStep: &allocs}, nil
}

// benchStep times the step build makes with o's thread count (see
// timeModelStep) and prints the measurement.
func benchStep(o *Options, op string, batch, rounds int, build func(*tensor.Arena) (modelStep, error)) error {
	r, err := timeModelStep(op, batch, o.Threads, rounds, build)
	if err != nil {
		return err
	}
	return renderStep(o, r)
}

// renderStep prints one step measurement as `bench mlp` does.
func renderStep(o *Options, r BenchResult) error {
	t := Table{Header: []string{o.T("op"), o.T("batch"), o.T("threads"), o.T("gflops"), o.T("ms"), o.T("allocs")},
		Right: map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true},
		Rows: [][]string{{r.Op, itoa(r.Batch), itoa(r.Threads), strconv.FormatFloat(r.GFLOPS, 'f', 1, 64),
			strconv.FormatFloat(r.MS, 'f', 3, 64), strconv.FormatFloat(*r.AllocsPerStep, 'f', 1, 64)}}}
	return o.render([]BenchResult{r}, t)
}

// intRange is an integer flag and the values it accepts: min..max, or
// at least min when max is math.MaxInt. note, when set, says what a
// special value means ("0: no limit").
type intRange struct {
	name     string
	v        *int
	min, max int
	note     string
}

// checkRanges reports the first flag outside its range, naming it.
func checkRanges(rs ...intRange) error {
	for _, r := range rs {
		if *r.v >= r.min && *r.v <= r.max {
			continue
		}
		want := fmt.Sprintf("%d..%d", r.min, r.max)
		if r.max == math.MaxInt {
			want = fmt.Sprintf("at least %d", r.min)
		}
		if r.note != "" {
			want += " (" + r.note + ")"
		}
		return fmt.Errorf("--%s %d: want %s", r.name, *r.v, want)
	}
	return nil
}

func newBenchModelCommands(o *Options) []*cobra.Command {
	cnn := newBenchCNNCommand(o, "cnn", "short.bench.cnn", 128,
		"Time one training step of a LeNet-style CNN on random 28×28 images: Conv2d(1,6,5,pad 2),\n"+
			"ReLU, MaxPool2d(2), Conv2d(6,16,5), ReLU, MaxPool2d(2), Flatten, Linear(400,120), ReLU,\n"+
			"Linear(120,84), ReLU, Linear(84,10), cross-entropy. A step is zero grad, forward, loss and\n"+
			"backward, without an optimizer update — as engine/nn's BenchmarkCNNStep and\n"+
			"bench/pytorch/cnn.py.",
		newCNNStep)
	fashion := newBenchCNNCommand(o, "fashion-cnn", "short.bench.fashion_cnn", 64,
		"Time one training step of the Fashion-MNIST recipe's CNN (recipes.NewFashionCNN) on random\n"+
			"28×28 images: Conv2d(1,32,3), ReLU, MaxPool2d(2), Conv2d(32,64,3), ReLU, MaxPool2d(2),\n"+
			"Flatten, Linear(1600,128), ReLU, Linear(128,10), cross-entropy. A step is zero grad,\n"+
			"forward, loss and backward, without an optimizer update — as engine/nn's\n"+
			"BenchmarkFashionCNNStep and bench/pytorch/fashion_cnn.py.",
		newFashionCNNStep)
	lstm := newBenchRNNCommand(o, nn.LSTM)
	gru := newBenchRNNCommand(o, nn.GRU)

	var gs gptShape
	var gptRounds int
	gpt := &cobra.Command{
		Use:   "gpt",
		Short: T(o.Lang, "short.bench.gpt"),
		Long: "Time one training step of a GPT-mini (nn.NewGPT: learned positions, pre-norm blocks with\n" +
			"causal self-attention, GELU, FFN 4·d_model, no dropout, untied head) on random tokens:\n" +
			"zero grad, forward, cross-entropy, backward and Adam (lr 3e-4) — as engine/nn's\n" +
			"BenchmarkGPTMiniStep and bench/pytorch/gpt.py. A step takes about a second on one core.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkRanges(intRange{"batch", &gs.Batch, 1, 65536, ""}, intRange{"context", &gs.Context, 1, 1 << 16, ""},
				intRange{"d-model", &gs.DModel, 1, 1 << 16, ""}, intRange{"heads", &gs.Heads, 1, 1024, ""},
				intRange{"layers", &gs.Layers, 1, 1024, ""}, intRange{"vocab", &gs.Vocab, 1, 1 << 24, ""},
				intRange{"rounds", &gptRounds, 1, 1000, ""}); err != nil {
				return err
			}
			if gs.DModel%gs.Heads != 0 {
				return fmt.Errorf("--d-model %d: want a multiple of --heads %d", gs.DModel, gs.Heads)
			}
			return benchStep(o, "gpt", gs.Batch, gptRounds, func(a *tensor.Arena) (modelStep, error) {
				return newGPTStep(gs, a)
			})
		},
	}
	fl := gpt.Flags()
	fl.IntVar(&gs.Batch, "batch", 16, "batch size (sequences)")
	fl.IntVar(&gs.Context, "context", 128, "context length (tokens per sequence)")
	fl.IntVar(&gs.DModel, "d-model", 256, "model width")
	fl.IntVar(&gs.Heads, "heads", 4, "attention heads")
	fl.IntVar(&gs.Layers, "layers", 4, "transformer blocks")
	fl.IntVar(&gs.Vocab, "vocab", 5000, "vocabulary size")
	fl.IntVar(&gptRounds, "rounds", 3, "timing rounds of at least 200 ms; the best is reported")
	return []*cobra.Command{cnn, fashion, lstm, gru, gpt}
}

// newBenchCNNCommand makes a `bench` command that times the image-model
// step build makes, with a --batch flag (default batch) and --rounds.
func newBenchCNNCommand(o *Options, name, short string, batch int, long string,
	build func(batch int, a *tensor.Arena) (modelStep, error)) *cobra.Command {
	var rounds int
	cmd := &cobra.Command{
		Use:   name,
		Short: T(o.Lang, short),
		Long:  long,
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkRanges(intRange{"batch", &batch, 1, 65536, ""}, intRange{"rounds", &rounds, 1, 1000, ""}); err != nil {
				return err
			}
			return benchStep(o, name, batch, rounds, func(a *tensor.Arena) (modelStep, error) {
				return build(batch, a)
			})
		},
	}
	cmd.Flags().IntVar(&batch, "batch", batch, "batch size")
	cmd.Flags().IntVar(&rounds, "rounds", 5, "timing rounds of at least 200 ms; the best is reported")
	return cmd
}

// newBenchRNNCommand makes `bench lstm` (mode nn.LSTM) or `bench gru`
// (nn.GRU), with the shape flags of the PyTorch scripts.
func newBenchRNNCommand(o *Options, mode nn.RNNMode) *cobra.Command {
	name, model, script := "lstm", "an LSTM", "BenchmarkLSTMStep and bench/pytorch/lstm.py"
	if mode == nn.GRU {
		name, model, script = "gru", "a GRU", "BenchmarkGRUStep and bench/pytorch/gru.py"
	}
	var s rnnShape
	var rounds int
	cmd := &cobra.Command{
		Use:   name,
		Short: T(o.Lang, "short.bench."+name),
		Long: "Time one training step of " + model + " (sequence-first input of random data, MSE against\n" +
			"random targets, Adam lr 1e-3): zero grad, forward, loss, backward and optimizer step — as\n" +
			"engine/nn's " + script + ".",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkRanges(intRange{"batch", &s.Batch, 1, 65536, ""}, intRange{"seq", &s.Seq, 1, 1 << 16, ""},
				intRange{"input", &s.Input, 1, 1 << 16, ""}, intRange{"hidden", &s.Hidden, 1, 1 << 16, ""},
				intRange{"layers", &s.Layers, 1, 64, ""}, intRange{"rounds", &rounds, 1, 1000, ""}); err != nil {
				return err
			}
			return benchStep(o, name, s.Batch, rounds, func(a *tensor.Arena) (modelStep, error) {
				return newRNNStep(mode, s, a)
			})
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&s.Batch, "batch", 32, "batch size")
	fl.IntVar(&s.Seq, "seq", 64, "sequence length")
	fl.IntVar(&s.Input, "input", 64, "input features")
	fl.IntVar(&s.Hidden, "hidden", 256, "hidden size")
	fl.IntVar(&s.Layers, "layers", 2, "stacked layers")
	fl.IntVar(&rounds, "rounds", 5, "timing rounds of at least 200 ms; the best is reported")
	return cmd
}
