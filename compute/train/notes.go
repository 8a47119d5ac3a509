package train

import "github.com/kaiwu-ai/kaiwu/msg"

// The codes of the plan's messages for people to read: the run's label
// (Plan.LabelDetail, MonthlyCost.LabelDetail), the model's description
// when it has no name (Plan.ModelDetail), the energy caveat
// (Plan.EnergyExcludes) and the values and sources of defaults kaiwu
// itself sets (Default.ValueDetail, Default.SourceDetail). Numbers in
// Args are already formatted ("7B", "$3.78").
const (
	// LabelArch: a named architecture. Args: model, gpus, gpu.
	LabelArch = "run-arch"
	// LabelParams: a model given by its parameter count. Args: params,
	// gpus, gpu.
	LabelParams = "run-params"
	// LabelParamsActive: a mixture of experts given by its counts. Args:
	// params, active, gpus, gpu.
	LabelParamsActive = "run-params-active"
	// LabelCustom: an unnamed architecture. Args: gpus, gpu.
	LabelCustom = "run-custom"

	// ModelParams, ModelParamsActive, ModelCustom describe a model
	// without a name. Args: params (and active); none for ModelCustom.
	ModelParams       = "model-params"
	ModelParamsActive = "model-params-active"
	ModelCustom       = "model-custom"

	// NoteEnergyExcludes: what the energy estimate leaves out
	// (EnergyExcludes). No args.
	NoteEnergyExcludes = "energy-excludes"

	// ValueTokens: the compute-optimal token default. Args: tokens.
	ValueTokens = "value-tokens-optimal"
	// ValuePrice: the catalogue price default. Args: price.
	ValuePrice = "value-price"
	// SourceChinchilla, SourceArchSeq, SourceKaiwuDefault: the sources of
	// the tokens and sequence-length defaults. No args.
	SourceChinchilla   = "source-chinchilla"
	SourceArchSeq      = "source-arch-seq"
	SourceKaiwuDefault = "source-kaiwu-default"
)

// Notes holds the English template of every code above; an edge's
// catalogue translates the same templates (its tests iterate
// Notes.Codes()).
var Notes = msg.Catalogue{
	LabelArch:          "training {model} on {gpus}× {gpu}",
	LabelParams:        "training {params} parameters on {gpus}× {gpu}",
	LabelParamsActive:  "training {params} parameters ({active} active) on {gpus}× {gpu}",
	LabelCustom:        "training custom architecture on {gpus}× {gpu}",
	ModelParams:        "{params} parameters",
	ModelParamsActive:  "{params} parameters ({active} active)",
	ModelCustom:        "custom architecture",
	NoteEnergyExcludes: EnergyExcludes,
	ValueTokens:        "{tokens} (20 × parameters)",
	ValuePrice:         "{price} per GPU-hour",
	SourceChinchilla:   "compute-optimal: Hoffmann et al. 2022, Chinchilla (arXiv:2203.15556) §3 / Table 3, ~20 tokens per parameter",
	SourceArchSeq:      "the architecture's context length (capped at 8192: long contexts are usually a short extension phase)",
	SourceKaiwuDefault: "kaiwu default",
}

// note makes a Note from Notes and returns a pointer to it.
func note(code string, kv ...string) *msg.Note {
	n := Notes.Make(code, kv...)
	return &n
}
