package serve_test

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/compute/hw"
	"github.com/kaiwu-ai/kaiwu/compute/model"
	"github.com/kaiwu-ai/kaiwu/compute/serve"
	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// Llama-2-70B in bf16 on two H100s (tensor parallel), 1,000-token prompts
// and 300-token answers, sold at $0.50 / $1.50 per million tokens.
func ExampleAnalyze() {
	arch, _ := model.Preset("llama-2-70b")
	gpu, _ := hw.Lookup("h100")
	in, out := money.New(decimal.RequireFromString("0.5"), money.USD), money.New(decimal.RequireFromString("1.5"), money.USD)
	r, err := serve.Analyze(serve.Input{
		Model: arch, GPU: serve.GPUFrom(gpu), TP: 2, Prompt: 1000, Output: 300,
		Batches: []int{1, 8}, Utilisation: 0.5,
		GPUPrice: money.New(decimal.RequireFromString("2.50"), money.USD), PriceIn: &in, PriceOut: &out,
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("KV cache: %.0f bytes/token; %d sequences fit\n", r.KVBytesPerToken, r.MaxSequences)
	fmt.Printf("time to first token: %.0f ms; decode turns compute-bound at batch %.0f\n", r.TTFTSeconds*1e3, r.CrossoverBatch)
	for _, row := range r.Rows {
		fmt.Printf("batch %2d: %5.1f tok/s each, %s per M output, margin %s%%\n", row.Batch,
			row.TokensPerSecondPerSequence, row.CostPerMOutput.Amount.StringFixed(2), row.GrossMargin.Shift(2).StringFixed(0))
	}
	// Output:
	// KV cache: 327680 bytes/token; 14 sequences fit
	// time to first token: 140 ms; decode turns compute-bound at batch 185
	// batch  1:  38.7 tok/s each, 71.69 per M output, margin -2205%
	// batch  8:  38.0 tok/s each, 9.13 per M output, margin -229%
	// batch 14:  37.4 tok/s each, 5.30 per M output, margin -108%
}

// The KV cache of DeepSeek-V2's multi-head latent attention at 6 bits
// against DeepSeek 67B's grouped-query cache in bf16: the paper's 93.3%.
func ExampleKVBytesPerToken() {
	v2 := model.Arch{Layers: 60, DModel: 5120, Heads: 128, FFN: 12288, Vocab: 102400,
		KVLoRARank: 512, QKNopeHeadDim: 128, QKRopeHeadDim: 64, VHeadDim: 128}
	dense, _ := model.Preset("deepseek-llm-67b")
	six, _ := serve.ParsePrecision("6bit")
	a, b := serve.KVBytesPerToken(v2, six), serve.KVBytesPerToken(dense, serve.BF16)
	fmt.Printf("%.0f vs %.0f bytes per token: %.1f%% smaller\n", a, b, 100*(1-a/b))
	// Output: 25920 vs 389120 bytes per token: 93.3% smaller
}
