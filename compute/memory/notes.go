package memory

import "github.com/kaiwu-ai/kaiwu/msg"

// The codes of the planner's messages: Breakdown.NoteDetails (warnings
// about a layout) and Choice.WhyDetails (why Cheapest chose a layout).
// Numbers in Args are already formatted ("80.0 GB", "3.2%").
const (
	// NoteTPSpansNodes: tensor parallelism wider than a node. Args: tp,
	// per_node.
	NoteTPSpansNodes = "tp-spans-nodes"
	// NoteZeRONoDP: a ZeRO stage with one data-parallel rank saves
	// nothing. No args.
	NoteZeRONoDP = "zero-no-dp"

	// WhyFit: how many layouts fit and that the chosen one is the
	// fastest. Args: fitting, tried, gpus, capacity, slowdown.
	WhyFit = "why-fit"
	// WhyNoRecompute, WhySelective, WhyFull: the recomputation policy. No
	// args.
	WhyNoRecompute = "why-recompute-none"
	WhySelective   = "why-recompute-selective"
	WhyFull        = "why-recompute-full"
	// WhyTP: tensor parallelism inside a node. Args: tp.
	WhyTP = "why-tp"
	// WhyPP: pipeline parallelism. Args: pp.
	WhyPP = "why-pp"
	// WhyZeRO: the ZeRO stage. Args: stage, dp.
	WhyZeRO = "why-zero"
	// WhyPerGPU: the memory used of the capacity. Args: used, capacity.
	WhyPerGPU = "why-per-gpu"
)

// Notes holds the English template of every code above; an edge's
// catalogue translates the same templates (its tests iterate
// Notes.Codes()).
var Notes = msg.Catalogue{
	NoteTPSpansNodes: "tp {tp} spans nodes ({per_node} GPUs per node): tensor parallelism across the network is slow",
	NoteZeRONoDP:     "ZeRO partitions across data-parallel ranks; with dp = 1 it saves nothing",
	WhyFit:           "{fitting} of {tried} layouts on {gpus} GPUs fit in {capacity}; this one has the lowest estimated slow-down ({slowdown})",
	WhyNoRecompute:   "no recomputation: all activations fit",
	WhySelective:     "selective recomputation: drops the attention-score activations for ~3% extra compute (Korthikanti et al. 2022)",
	WhyFull:          "full recomputation: needed to fit, costs one more forward pass (~33%)",
	WhyTP:            "tensor parallel {tp} within a node, with sequence parallelism",
	WhyPP:            "pipeline parallel {pp}: the model states do not fit with tensor parallelism alone",
	WhyZeRO:          "ZeRO-{stage} across {dp} data-parallel ranks",
	WhyPerGPU:        "per GPU: {used} used of {capacity}",
}
