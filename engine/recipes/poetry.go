package recipes

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/data/tokenize"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/train"
)

// TangPath is where Debian's fortunes-zh installs the 300 Tang poems.
const TangPath = "/usr/share/games/fortunes/tang300"

// PoetryConfig configures PoetryGPT. Zero fields take the defaults.
type PoetryConfig struct {
	// Path is the tang300 fortune file (default TangPath). Ignored
	// when Poems is set.
	Path string
	// Poems, when set, replaces the file (tests use a few poems).
	Poems []data.Poem
	// Steps is the number of optimizer steps (default 600).
	Steps int
	// Batch windows of Context characters per step (defaults 32, 64).
	Batch, Context int
	// The model: DModel (default 192), Heads (default 4), Layers
	// (default 3); the feed-forward width is 4·DModel.
	DModel, Heads, Layers int
	// Dropout is the dropout probability in every block during
	// training (default 0.1; negative means none).
	Dropout float64
	// LR is Adam's learning rate (default 2e-3), with a linear warmup
	// over the first 5% of the steps and a cosine decay to a tenth;
	// gradients are clipped to norm 1.
	LR   float64
	Seed uint64 // default 1
	// EvalEvery measures the held-out loss every this many steps
	// (default Steps/6).
	EvalEvery int
	// Prompts start the generated samples (default 春眠, 明月, 白日,
	// 秋风); SampleChars caps each sample's length (default 48).
	Prompts     []string
	SampleChars int
	// Temperature and TopK shape the sampling (defaults 0.8, 20).
	Temperature float64
	TopK        int
}

func (c PoetryConfig) withDefaults() PoetryConfig {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Path == "" {
		c.Path = TangPath
	}
	def(&c.Steps, 600)
	def(&c.Batch, 32)
	def(&c.Context, 64)
	def(&c.DModel, 192)
	def(&c.Heads, 4)
	def(&c.Layers, 3)
	def(&c.EvalEvery, max(1, c.Steps/6))
	def(&c.SampleChars, 48)
	def(&c.TopK, 20)
	if c.LR == 0 {
		c.LR = 2e-3
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	switch {
	case c.Dropout == 0:
		c.Dropout = 0.1
	case c.Dropout < 0:
		c.Dropout = 0
	}
	if c.Prompts == nil {
		c.Prompts = []string{"春眠", "明月", "白日", "秋风"}
	}
	if c.Temperature == 0 {
		c.Temperature = 0.8
	}
	return c
}

func (c PoetryConfig) validate() error {
	switch {
	case c.Steps < 1 || c.Steps > 1000000:
		return fmt.Errorf("recipes: poetry: steps %d: want 1..1000000", c.Steps)
	case c.Batch < 1 || c.Context < 2:
		return fmt.Errorf("recipes: poetry: batch %d and context %d: want ≥ 1 and ≥ 2", c.Batch, c.Context)
	case c.DModel < 1 || c.Heads < 1 || c.DModel%c.Heads != 0 || c.Layers < 1:
		return fmt.Errorf("recipes: poetry: d_model %d must be a positive multiple of heads %d, layers %d positive", c.DModel, c.Heads, c.Layers)
	case c.Dropout >= 1:
		return fmt.Errorf("recipes: poetry: dropout %g: want [0, 1)", c.Dropout)
	case !(c.LR > 0 && c.LR < 1):
		return fmt.Errorf("recipes: poetry: learning rate %g: want (0, 1)", c.LR)
	case !(c.Temperature > 0) || c.TopK < 1 || c.SampleChars < 1:
		return fmt.Errorf("recipes: poetry: temperature %g, top-k %d and sample length %d must be positive", c.Temperature, c.TopK, c.SampleChars)
	}
	return nil
}

// PoetryGPT trains a character-level GPT (nn.NewGPT: learned positions,
// pre-norm blocks, GELU, dropout 0.1, untied head) on the verses of the
// 300 Tang poems: each poem's lines, a blank line between poems (titles
// and author names are left out, so that every prompt continues as
// verse). Every tenth poem is held out; the model trains on random windows of the other poems'
// concatenated text, then generates one sample per prompt with
// temperature and top-k sampling. The Result's metric is the held-out
// perplexity per character (its Baseline is the unigram model's), and
// PoemShape reports how many generated clauses have 5 or 7 characters.
// Training runs on train.Trainer (the model is an nn.Module through
// nn.GPT.Forward). The PyTorch recipe is bench/pytorch/recipes/poetry.py.
// It stops when ctx is done (see Canceling in the package documentation),
// also while it evaluates and generates the samples.
func PoetryGPT(ctx context.Context, cfg PoetryConfig, progress Progress) (Result, error) {
	const recipe = "poetry-gpt"
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return Result{}, err
	}
	if err := checkCtx(ctx, recipe, "loading the data"); err != nil {
		return Result{}, err
	}
	poems := cfg.Poems
	if poems == nil {
		var err error
		if poems, err = data.TangPoems(cfg.Path); err != nil {
			return Result{}, fmt.Errorf("recipes: poetry: %w (install fortunes-zh, or set the path)", err)
		}
	}
	var trText, teText strings.Builder
	for i, p := range poems {
		if len(p.Lines) == 0 {
			continue
		}
		w := &trText
		if i%10 == 9 {
			w = &teText
		}
		w.WriteString(strings.Join(p.Lines, "\n") + "\n\n")
	}
	tok, err := tokenize.BuildChar([]string{trText.String(), teText.String()}, 1)
	if err != nil {
		return Result{}, err
	}
	trIDs, teIDs := tok.Encode(trText.String()), tok.Encode(teText.String())
	if len(trIDs) < cfg.Context+1 || len(teIDs) < 2 {
		return Result{}, fmt.Errorf("recipes: poetry: %d training and %d held-out characters are too few for context %d", len(trIDs), len(teIDs), cfg.Context)
	}
	rng := tensor.NewRNG(cfg.Seed)
	g, err := nn.NewGPT(rng, nn.GPTConfig{Vocab: tok.VocabSize(), Context: cfg.Context, DModel: cfg.DModel,
		Heads: cfg.Heads, Layers: cfg.Layers, Dropout: cfg.Dropout})
	if err != nil {
		return Result{}, err
	}
	g.SetTraining(true)
	var params []*tensor.Tensor
	nParams := 0
	for _, p := range g.Parameters() {
		params = append(params, p.Tensor)
		nParams += p.Tensor.Numel()
	}
	opt, err := optim.NewAdam(params, float32(cfg.LR))
	if err != nil {
		return Result{}, err
	}
	r := Result{Recipe: recipe, Dataset: "tang300", TrainSamples: len(trIDs), TestSamples: len(teIDs),
		Model:      fmt.Sprintf("gpt %d layers, d_model %d, %d heads, context %d, vocab %d", cfg.Layers, cfg.DModel, cfg.Heads, cfg.Context, tok.VocabSize()),
		Parameters: nParams, Optimizer: "adam", LR: cfg.LR, Batch: cfg.Batch, Steps: cfg.Steps, Seed: cfg.Seed,
		Metric: "perplexity", Baseline: unigramPerplexity(trIDs, teIDs, tok.VocabSize())}

	start := time.Now()
	// The training set is the Steps·Batch random windows the steps use,
	// in order; the Trainer takes them batch by batch without shuffling.
	b, t := cfg.Batch, cfg.Context
	windows, err := newPoetryWindows(ctx, trIDs, t, cfg.Steps*b, cfg.Seed+1)
	if err != nil {
		return r, fmt.Errorf("recipes: %s: canceled while drawing the training windows: %w", recipe, err)
	}
	warm := max(1, cfg.Steps/20)
	opt.LR = float32(warmupCosine(cfg.LR, 0, warm, cfg.Steps))
	watch := &poetryWatch{ctx: ctx, g: g, arena: tensor.NewArena(), held: teIDs, t: t, b: b, warm: warm, cfg: cfg, r: &r,
		progress: progress, start: start}
	tr, err := train.NewTrainer(g, clippedAdam{opt, params}, train.Options{
		MaxSteps: cfg.Steps, BatchSize: b, NoShuffle: true, Seed: cfg.Seed,
		Scheduler: &warmupCosineLR{opt: opt, base: cfg.LR, warm: warm, total: cfg.Steps}, SchedulePerStep: true,
		Callbacks: []train.Callback{watch}})
	if err != nil {
		return r, err
	}
	if _, err := tr.FitContext(ctx, windows, nil); err != nil {
		return r, stopped(recipe, err)
	}
	last := r.History[len(r.History)-1]
	r.FinalLoss, r.TestLoss, r.TestMetric = last.Loss, last.TestLoss, last.TestMetric
	sampler := tensor.NewRNG(cfg.Seed + 2)
	for i, p := range cfg.Prompts {
		s, err := samplePoem(ctx, g, tok, p, cfg.SampleChars, cfg.Temperature, cfg.TopK, sampler)
		if err != nil {
			if cerr := checkCtx(ctx, recipe, fmt.Sprintf("sampling (prompt %d of %d, after %d steps)", i+1, len(cfg.Prompts), cfg.Steps)); cerr != nil {
				return r, cerr
			}
			return r, err
		}
		r.Samples = append(r.Samples, s)
	}
	r.PoemShape = PoemShape(strings.Join(r.Samples, "\n"))
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}

// warmupCosine is the learning rate at step s (from 0): a linear ramp
// over warm steps, then a cosine decay from base to base/10 at total.
func warmupCosine(base float64, s, warm, total int) float64 {
	if s < warm {
		return base * float64(s+1) / float64(warm)
	}
	p := float64(s-warm) / float64(max(1, total-warm))
	return base/10 + (base-base/10)*0.5*(1+math.Cos(math.Pi*min(p, 1)))
}

// poetryWindows is the poetry training set: sample i is the window of t
// characters of ids at the i-th offset a generator seeded with seed draws
// (Tokens), and the characters that follow each (Labels). It keeps the
// generator's state every windowMark draws, so that Get finds any offset
// in a few draws, from any goroutine.
type poetryWindows struct {
	ids   []int
	t, n  int
	marks []tensor.RNG // the state before draw k·windowMark
}

const windowMark = 64

// newPoetryWindows returns the n windows; it stops with ctx.Err() when
// ctx is done.
func newPoetryWindows(ctx context.Context, ids []int, t, n int, seed uint64) (*poetryWindows, error) {
	d := &poetryWindows{ids: ids, t: t, n: n}
	r := tensor.NewRNG(seed)
	for i := 0; i < n; i++ {
		if i%windowMark == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			d.marks = append(d.marks, *r)
		}
		r.Intn(len(ids) - t)
	}
	return d, nil
}

// Len implements data.Dataset.
func (d *poetryWindows) Len() int { return d.n }

// Spec implements data.Dataset: Context tokens and as many labels.
func (d *poetryWindows) Spec() data.Spec { return data.Spec{Tokens: d.t, Labels: d.t} }

// Get implements data.Dataset.
func (d *poetryWindows) Get(i int, s data.Sample) error {
	if i < 0 || i >= d.n {
		return fmt.Errorf("recipes: poetry: window %d out of range [0, %d)", i, d.n)
	}
	r := d.marks[i/windowMark]
	for k := 0; k < i%windowMark; k++ {
		r.Intn(len(d.ids) - d.t)
	}
	o := r.Intn(len(d.ids) - d.t)
	copy(s.Tokens, d.ids[o:o+d.t])
	copy(s.Labels, d.ids[o+1:o+1+d.t])
	return nil
}

// clippedAdam is Adam that first clips the gradients to norm 1.
type clippedAdam struct {
	*optim.Adam
	params []*tensor.Tensor
}

// Step implements optim.Optimizer: clip, then Adam.
func (o clippedAdam) Step() error {
	if _, err := optim.ClipGradNorm(o.params, 1, 2); err != nil {
		return err
	}
	return o.Adam.Step()
}

// warmupCosineLR sets opt's learning rate after every step to
// warmupCosine for the next one.
type warmupCosineLR struct {
	opt               *optim.Adam
	base              float64
	step, warm, total int
}

// Step implements train.Scheduler.
func (s *warmupCosineLR) Step() error {
	s.step++
	s.opt.LR = float32(warmupCosine(s.base, s.step, s.warm, s.total))
	return nil
}

// poetryWatch follows training: the first loss, progress, and every
// EvalEvery steps (and at the end) the held-out loss, logged in r.History
// with the mean training loss since the previous entry.
type poetryWatch struct {
	ctx      context.Context
	g        *nn.GPT
	arena    *tensor.Arena
	held     []int
	t, b     int
	warm     int // warmup steps of the learning-rate schedule
	cfg      PoetryConfig
	r        *Result
	progress Progress
	start    time.Time
	sum      float64
	n        int
}

// OnBatchEnd implements train.BatchCallback.
func (w *poetryWatch) OnBatchEnd(_ *train.Trainer, s train.Status) error {
	step, steps := s.Step, w.cfg.Steps
	if step == 1 {
		w.r.FirstLoss = s.BatchLoss
	}
	w.sum += s.BatchLoss
	w.n++
	el := time.Since(w.start)
	u := Update{Step: step, Steps: steps, Loss: w.sum / float64(w.n), Elapsed: el,
		ETA: time.Duration(float64(el) / float64(step) * float64(steps-step)),
		LR:  warmupCosine(w.cfg.LR, step-1, w.warm, steps)}
	if w.progress != nil {
		w.progress(u)
	}
	if step%w.cfg.EvalEvery == 0 || step == steps {
		vl, err := gptLoss(w.ctx, w.g, w.arena, w.held, w.t, w.b)
		if err != nil {
			if cerr := evalCanceled(w.ctx, step, steps); cerr != nil {
				return cerr
			}
			return err
		}
		e := EpochLog{Epoch: len(w.r.History) + 1, Step: step, Loss: w.sum / float64(w.n),
			TestLoss: vl, TestMetric: math.Exp(vl)}
		w.r.History = append(w.r.History, e)
		w.sum, w.n = 0, 0
		if w.progress != nil {
			u.Eval, u.Metric, u.Elapsed = &e, w.r.Metric, time.Since(w.start)
			w.progress(u)
		}
	}
	return nil
}

// OnEpochEnd implements train.Callback: nothing to do.
func (w *poetryWatch) OnEpochEnd(*train.Trainer, train.Status, train.Logs) error { return nil }

// gptLoss is the mean next-character cross-entropy over stream, cut into
// non-overlapping windows of up to t characters, b windows per pass. It
// returns ctx.Err() when ctx is done before a pass.
func gptLoss(ctx context.Context, g *nn.GPT, arena *tensor.Arena, stream []int, t, b int) (float64, error) {
	g.SetTraining(false)
	defer g.SetTraining(true)
	prev := tensor.SetGradEnabled(false)
	defer tensor.SetGradEnabled(prev)
	restore := tensor.UseArena(arena)
	defer restore()
	sum, n := 0.0, 0
	for lo := 0; lo+1 < len(stream); {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		// Full windows in batches; the remainder as one shorter window.
		w := min(t, len(stream)-1-lo)
		k := 1
		if w == t {
			k = min(b, (len(stream)-1-lo)/t)
		}
		ids, tgt := make([]int, 0, k*w), make([]int, 0, k*w)
		for i := 0; i < k; i++ {
			o := lo + i*w
			ids = append(ids, stream[o:o+w]...)
			tgt = append(tgt, stream[o+1:o+1+w]...)
		}
		arena.Reset()
		loss, err := g.Loss(ids, tgt, k, w)
		if err != nil {
			return 0, err
		}
		sum += loss.Item() * float64(k*w)
		n += k * w
		lo += k * w
	}
	return sum / float64(n), nil
}

// unigramPerplexity is the held-out perplexity of the training set's
// character frequencies (add-one smoothed): what a model that ignores
// context achieves.
func unigramPerplexity(train, test []int, vocab int) float64 {
	counts := make([]float64, vocab)
	for _, id := range train {
		counts[id]++
	}
	total := float64(len(train) + vocab)
	nll := 0.0
	for _, id := range test {
		nll -= math.Log((counts[id] + 1) / total)
	}
	return math.Exp(nll / float64(len(test)))
}

// SamplePoem continues prompt with up to maxChars characters drawn from
// the model: each from the softmax of the last position's logits divided
// by temperature, restricted to the topK most likely characters (never a
// special token). It stops early at the end of the poem (a blank line)
// or after four lines. It returns the prompt and its continuation.
func SamplePoem(g *nn.GPT, tok *tokenize.Char, prompt string, maxChars int, temperature float64, topK int, rng *tensor.RNG) (string, error) {
	return samplePoem(context.Background(), g, tok, prompt, maxChars, temperature, topK, rng)
}

// samplePoem is SamplePoem that returns ctx.Err() when ctx is done
// before a character is drawn.
func samplePoem(ctx context.Context, g *nn.GPT, tok *tokenize.Char, prompt string, maxChars int, temperature float64, topK int, rng *tensor.RNG) (string, error) {
	ids := tok.Encode(prompt)
	if len(ids) == 0 {
		ids = tok.Encode("\n")
	}
	g.SetTraining(false)
	defer g.SetTraining(true)
	prev := tensor.SetGradEnabled(false)
	defer tensor.SetGradEnabled(prev)
	arena := tensor.NewArena()
	restore := tensor.UseArena(arena)
	defer restore()
	v := g.Config.Vocab
	probs := make([]float64, v)
	order := make([]int, v)
	lines := 0
	for range maxChars {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		win := ids[max(0, len(ids)-g.Config.Context):]
		arena.Reset()
		logits, err := g.Logits(win, 1, len(win))
		if err != nil {
			return "", err
		}
		row := logits.Data()[(len(win)-1)*v : len(win)*v]
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int {
			switch {
			case row[a] > row[b]:
				return -1
			case row[a] < row[b]:
				return 1
			}
			return a - b
		})
		// Drop the special tokens, keep the top k.
		cand := order[:0:0]
		for _, id := range order {
			if id >= 4 {
				cand = append(cand, id)
				if len(cand) == topK {
					break
				}
			}
		}
		m := float64(row[cand[0]])
		z := 0.0
		for _, id := range cand {
			probs[id] = math.Exp((float64(row[id]) - m) / temperature)
			z += probs[id]
		}
		u := rng.Float64() * z
		next := cand[len(cand)-1]
		for _, id := range cand {
			if u -= probs[id]; u < 0 {
				next = id
				break
			}
		}
		ch := tok.Token(next)
		if ch == "\n" && tok.Token(ids[len(ids)-1]) == "\n" {
			break
		}
		ids = append(ids, next)
		if ch == "\n" {
			if lines++; lines == 4 {
				break
			}
		}
	}
	s, err := tok.Decode(ids)
	return strings.TrimSpace(s), err
}

// PoemShape is the fraction of s's clauses (runs of Han characters
// between punctuation or line breaks) that have 5 or 7 characters, the
// line lengths of classical regulated verse. Clauses of one or two
// characters (titles, names) are not counted; with no clause it is 0.
func PoemShape(s string) float64 {
	good, all := 0, 0
	count := func(n int) {
		if n > 2 {
			all++
			if n == 5 || n == 7 {
				good++
			}
		}
	}
	n := 0
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			n++
			continue
		}
		count(n)
		n = 0
	}
	count(n)
	if all == 0 {
		return 0
	}
	return float64(good) / float64(all)
}
