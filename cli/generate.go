package cli

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/engine/data/tokenize"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// GenerateResult is the JSON shape of kaiwu generate --json.
type GenerateResult struct {
	Prompt      string  `json:"prompt"`
	Text        string  `json:"text"`
	Tokens      int     `json:"tokens"`
	Temperature float64 `json:"temperature"`
	TopK        int     `json:"top_k"`
	Seed        uint64  `json:"seed"`
}

// generateConfig holds the flags of kaiwu generate.
type generateConfig struct {
	Model, Prompt string
	Tokens, TopK  int
	Temperature   float64
	Seed          uint64
}

func (c generateConfig) validate() error {
	switch {
	case c.Prompt == "":
		return errors.New("--prompt: required (the text to continue)")
	case c.Tokens < 1 || c.Tokens > 100000:
		return fmt.Errorf("--tokens %d: want 1..100000", c.Tokens)
	case !(c.Temperature >= 0 && c.Temperature <= 100):
		return fmt.Errorf("--temperature %g: want 0 (greedy) .. 100", c.Temperature)
	case c.TopK < 0:
		return fmt.Errorf("--top-k %d: must not be negative (0: all tokens)", c.TopK)
	}
	return nil
}

// sampleNext picks the next token from logits: specials are never
// picked; temperature 0 is greedy; otherwise softmax(logits/T) over the
// top k (all when k is 0), drawn with rng.
func sampleNext(logits []float32, temperature float64, k int, rng *rand.Rand) int {
	type cand struct {
		id int
		z  float64
	}
	cs := make([]cand, 0, len(logits))
	for id, z := range logits {
		if id >= tokenize.EOSID+1 {
			cs = append(cs, cand{id, float64(z)})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].z > cs[j].z })
	if temperature == 0 || len(cs) == 1 {
		return cs[0].id
	}
	if k > 0 && k < len(cs) {
		cs = cs[:k]
	}
	sum, ps := 0.0, make([]float64, len(cs))
	for i, c := range cs {
		ps[i] = math.Exp((c.z - cs[0].z) / temperature)
		sum += ps[i]
	}
	u := rng.Float64() * sum
	for i, p := range ps {
		if u < p {
			return cs[i].id
		}
		u -= p
	}
	return cs[len(cs)-1].id
}

// generate continues the prompt token by token, calling emit with each
// new token's text as soon as it is sampled.
func (t *trained) generate(c generateConfig, emit func(string) error) (string, error) {
	tok, err := t.tokenizer()
	if err != nil {
		return "", err
	}
	ids := tok.Encode(c.Prompt)
	for i, id := range ids {
		if id == tokenize.UnkID {
			return "", fmt.Errorf("--prompt: character %q (at %d) is not in the model's vocabulary", []rune(c.Prompt)[i], i)
		}
	}
	rng := rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15))
	ctx := t.pipe.Context
	var b strings.Builder
	for range c.Tokens {
		win := ids[max(0, len(ids)-ctx):]
		x := make([]float32, len(win))
		for i, id := range win {
			x[i] = float32(id)
		}
		in, err := tensor.FromSlice(x, 1, len(win))
		if err != nil {
			return "", err
		}
		var out *tensor.Tensor
		tensor.NoGrad(func() { out, err = t.Model.Forward(in) })
		if err != nil {
			return "", err
		}
		if out, err = out.Contiguous(); err != nil {
			return "", err
		}
		v := tok.VocabSize()
		d := out.Data()
		if len(d) < v {
			return "", fmt.Errorf("the model outputs %d values, fewer than the vocabulary's %d", len(d), v)
		}
		next := sampleNext(d[len(d)-v:], c.Temperature, c.TopK, rng)
		ids = append(ids, next)
		s := tok.Token(next)
		b.WriteString(s)
		if emit != nil {
			if err := emit(s); err != nil {
				return "", err
			}
		}
	}
	return b.String(), nil
}

func newGenerateCommand(o *Options) *cobra.Command {
	c := generateConfig{}
	cmd := &cobra.Command{
		Use:   "generate --model CKPT --prompt TEXT",
		Short: T(o.Lang, "short.generate"),
		Long: `Continue --prompt with a language model trained by kaiwu train --task lm,
sampling each token from the model's distribution at --temperature (0 is
greedy) among the --top-k most likely (0: all). The same --seed gives the
same text. Tokens are written to stdout as they are sampled; --json prints
one object at the end instead.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := openTrained(c.Model)
			if err != nil {
				return err
			}
			if t.pipe.Task != taskLM {
				return fmt.Errorf("--model %s is a %s model, not a language model (use kaiwu predict)", c.Model, t.pipe.Task)
			}
			if err := c.validate(); err != nil {
				return err
			}
			var emit func(string) error
			if !o.JSON {
				if _, err := fmt.Fprint(o.Out(), c.Prompt); err != nil {
					return err
				}
				emit = func(s string) error { _, err := fmt.Fprint(o.Out(), s); return err }
			}
			text, err := t.generate(c, emit)
			if err != nil {
				return err
			}
			if o.JSON {
				return writeJSON(o.Out(), GenerateResult{Prompt: c.Prompt, Text: text, Tokens: c.Tokens,
					Temperature: c.Temperature, TopK: c.TopK, Seed: c.Seed})
			}
			_, err = fmt.Fprintln(o.Out())
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.Model, "model", "", "language-model checkpoint written by kaiwu train --task lm (required)")
	f.StringVar(&c.Prompt, "prompt", "", "text to continue (required)")
	f.IntVar(&c.Tokens, "tokens", 64, "tokens to generate")
	f.Float64Var(&c.Temperature, "temperature", 0.8, "sampling temperature (0: greedy)")
	f.IntVar(&c.TopK, "top-k", 40, "sample among the k most likely tokens (0: all)")
	f.Uint64Var(&c.Seed, "seed", 1, "seed of the sampler")
	return cmd
}
