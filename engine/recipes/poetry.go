package recipes

import (
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
// The PyTorch recipe is bench/pytorch/recipes/poetry.py.
func PoetryGPT(cfg PoetryConfig, progress Progress) (Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
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
	r := Result{Recipe: "poetry-gpt", Dataset: "tang300", TrainSamples: len(trIDs), TestSamples: len(teIDs),
		Model:      fmt.Sprintf("gpt %d layers, d_model %d, %d heads, context %d, vocab %d", cfg.Layers, cfg.DModel, cfg.Heads, cfg.Context, tok.VocabSize()),
		Parameters: nParams, Optimizer: "adam", LR: cfg.LR, Batch: cfg.Batch, Steps: cfg.Steps, Seed: cfg.Seed,
		Metric: "perplexity", Baseline: unigramPerplexity(trIDs, teIDs, tok.VocabSize())}

	start := time.Now()
	arena := tensor.NewArena()
	dataRNG := tensor.NewRNG(cfg.Seed + 1)
	b, t := cfg.Batch, cfg.Context
	ids, tgt := make([]int, b*t), make([]int, b*t)
	warm := max(1, cfg.Steps/20)
	sum, n := 0.0, 0
	for step := 1; step <= cfg.Steps; step++ {
		opt.LR = float32(warmupCosine(cfg.LR, step-1, warm, cfg.Steps))
		for i := 0; i < b; i++ {
			o := dataRNG.Intn(len(trIDs) - t)
			copy(ids[i*t:(i+1)*t], trIDs[o:o+t])
			copy(tgt[i*t:(i+1)*t], trIDs[o+1:o+1+t])
		}
		l, err := gptStep(g, opt, params, arena, ids, tgt, b, t)
		if err != nil {
			return r, fmt.Errorf("recipes: poetry: step %d: %w", step, err)
		}
		if step == 1 {
			r.FirstLoss = l
		}
		sum += l
		n++
		if progress != nil {
			el := time.Since(start)
			progress(Update{Step: step, Steps: cfg.Steps, Loss: sum / float64(n), Elapsed: el,
				ETA: time.Duration(float64(el) / float64(step) * float64(cfg.Steps-step))})
		}
		if step%cfg.EvalEvery == 0 || step == cfg.Steps {
			vl, err := gptLoss(g, arena, teIDs, t, b)
			if err != nil {
				return r, err
			}
			r.History = append(r.History, EpochLog{Epoch: len(r.History) + 1, Step: step, Loss: sum / float64(n),
				TestLoss: vl, TestMetric: math.Exp(vl)})
			sum, n = 0, 0
		}
	}
	last := r.History[len(r.History)-1]
	r.FinalLoss, r.TestLoss, r.TestMetric = last.Loss, last.TestLoss, last.TestMetric
	sampler := tensor.NewRNG(cfg.Seed + 2)
	for _, p := range cfg.Prompts {
		s, err := SamplePoem(g, tok, p, cfg.SampleChars, cfg.Temperature, cfg.TopK, sampler)
		if err != nil {
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

// gptStep runs one training step in arena and returns the loss.
func gptStep(g *nn.GPT, opt optim.Optimizer, params []*tensor.Tensor, arena *tensor.Arena, ids, tgt []int, b, t int) (float64, error) {
	restore := tensor.UseArena(arena)
	defer restore()
	arena.Reset()
	opt.ZeroGrad()
	loss, err := g.Loss(ids, tgt, b, t)
	if err != nil {
		return 0, err
	}
	l := loss.Item()
	if math.IsNaN(l) || math.IsInf(l, 0) {
		return l, fmt.Errorf("loss is %g: training diverged", l)
	}
	if err := loss.Backward(); err != nil {
		return 0, err
	}
	if _, err := optim.ClipGradNorm(params, 1, 2); err != nil {
		return 0, err
	}
	return l, opt.Step()
}

// gptLoss is the mean next-character cross-entropy over stream, cut into
// non-overlapping windows of up to t characters, b windows per pass.
func gptLoss(g *nn.GPT, arena *tensor.Arena, stream []int, t, b int) (float64, error) {
	g.SetTraining(false)
	defer g.SetTraining(true)
	prev := tensor.SetGradEnabled(false)
	defer tensor.SetGradEnabled(prev)
	restore := tensor.UseArena(arena)
	defer restore()
	sum, n := 0.0, 0
	for lo := 0; lo+1 < len(stream); {
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
		ctx := ids[max(0, len(ids)-g.Config.Context):]
		arena.Reset()
		logits, err := g.Logits(ctx, 1, len(ctx))
		if err != nil {
			return "", err
		}
		row := logits.Data()[(len(ctx)-1)*v : len(ctx)*v]
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
