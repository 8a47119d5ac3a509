package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/compute/memory"
	"github.com/kaiwu-ai/kaiwu/compute/model"
	"github.com/kaiwu-ai/kaiwu/msg"
)

// This file holds `kaiwu compute memory`: model flags + layout flags →
// compute/memory → per-GPU memory of one layout, or the cheapest layout
// that fits (--cheapest).

func init() {
	computeCommands = append(computeCommands, newComputeMemoryCommand)
	addMessages(computeMemoryMessages)
}

// computeMemoryMessages are this file's user-visible labels.
var computeMemoryMessages = map[string][2]string{
	"short.compute.memory": {"Training memory per GPU: weights, gradients, AdamW states, ZeRO, TP/PP, activations; the cheapest layout that fits", "训练显存（每卡）：权重、梯度、AdamW 状态、ZeRO、张量/流水并行、激活；能放下的最省布局"},
	"cmem.item":            {"item", "项目"},
	"cmem.value":           {"per GPU", "每卡"},
	"cmem.layout":          {"layout", "并行布局"},
	"cmem.gpus":            {"GPUs", "GPU 数量"},
	"cmem.params":          {"parameters held", "持有参数量"},
	"cmem.weights":         {"weights (bf16)", "权重（bf16）"},
	"cmem.grads":           {"gradients (bf16)", "梯度（bf16）"},
	"cmem.optimizer":       {"AdamW states (fp32 master, m, v)", "AdamW 状态（fp32 主权重、一阶、二阶矩）"},
	"cmem.activations":     {"activations", "激活"},
	"cmem.act_layer":       {"activations per layer", "每层激活"},
	"cmem.overhead":        {"fixed overhead (CUDA context, workspaces)", "固定开销（CUDA 上下文、工作区）"},
	"cmem.total":           {"total", "合计"},
	"cmem.capacity":        {"GPU memory", "显存容量"},
	"cmem.fits":            {"fits", "能否放下"},
	"cmem.yes":             {"yes", "是"},
	"cmem.no":              {"no", "否"},
	"cmem.note":            {"note", "提示"},
	"cmem.why":             {"why this layout", "选择理由"},
	"cmem.alternatives":    {"next best layouts", "次优布局"},
}

// ComputeMemoryResult is the JSON shape of `kaiwu compute memory --json`
// (docs/formats/compute-memory.md).
type ComputeMemoryResult struct {
	Model string `json:"model"`
	GPU   string `json:"gpu"`
	Seq   int    `json:"seq"`
	// MicroBatch is the micro-batch size.
	MicroBatch int `json:"micro_batch"`
	*memory.Breakdown
	// Cheapest is set with --cheapest: the search's explanation.
	Cheapest *ComputeMemorySearch `json:"cheapest,omitempty"`
}

// ComputeMemorySearch is the --cheapest part of ComputeMemoryResult.
type ComputeMemorySearch struct {
	Penalty      float64             `json:"penalty"`
	Tried        int                 `json:"tried"`
	Fitting      int                 `json:"fitting"`
	Why          []string            `json:"why"`
	WhyDetails   []msg.Note          `json:"why_details"`
	Alternatives []*memory.Breakdown `json:"alternatives,omitempty"`
}

// memFlagErrors rewrites compute/memory field errors as flag errors.
func memFlagErrors(err error) error {
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	msgs := make([]string, 0, len(list))
	for _, e := range list {
		var fe *memory.FieldError
		switch {
		case errors.As(e, &fe) && fe.Field == "model":
			msgs = append(msgs, "--preset: "+fe.Msg)
		case errors.As(e, &fe):
			msgs = append(msgs, "--"+fe.Field+": "+fe.Msg)
		default:
			msgs = append(msgs, e.Error())
		}
	}
	return errors.New(strings.Join(msgs, "\n"))
}

func newComputeMemoryCommand(o *Options) *cobra.Command {
	var (
		gpuName, recompute, hwFile        string
		gpus, tp, pp, zero, seq, mb, maxN int
		noSP, cheapest                    bool
		overheadGB                        float64
	)
	cmd := &cobra.Command{
		Use:   "memory (--preset NAME | --layers … ) --gpu GPU [--gpus N] [--tp 8 --pp 2 --zero 1 --recompute selective --seq 4096 --micro-batch 1] [--cheapest]",
		Short: T(o.Lang, "short.compute.memory"),
		Args:  cobra.NoArgs,
	}
	mf := addModelFlags(cmd)
	cmd.RunE = func(c *cobra.Command, args []string) error {
		a, err := mf.arch()
		if err != nil {
			return err
		}
		if a.IsNominal() {
			return fmt.Errorf("--params: activation memory needs an architecture: use --preset or the architecture flags (--layers, --d-model, --heads, …)")
		}
		cat, err := hwLoadCatalogue(hwFile)
		if err != nil {
			return err
		}
		g, err := cat.Lookup(gpuName)
		if err != nil {
			return fmt.Errorf("--%v", err) // "gpu: unknown GPU …"
		}
		rc, err := model.ParseRecompute(recompute)
		if err != nil {
			return fmt.Errorf("--recompute: unknown policy %q (want none, selective or full)", recompute)
		}
		if seq == 0 {
			seq = 4096
			if a.MaxSeq > 0 {
				seq = min(a.MaxSeq, 8192)
			}
		}
		if c.Flags().Changed("gpus") && gpus < 1 {
			return fmt.Errorf("--gpus: want ≥ 1, have %d", gpus)
		}
		in := memory.Input{Arch: a, GPU: g, GPUs: gpus, Seq: seq, MicroBatch: mb,
			Layout: memory.Layout{TP: tp, PP: pp, ZeRO: zero, Recompute: rc, SequenceParallel: !noSP}}
		switch {
		case overheadGB < 0:
			return fmt.Errorf("--overhead: want ≥ 0 GB, have %g", overheadGB)
		case c.Flags().Changed("overhead") && overheadGB == 0:
			in.OverheadBytes = -1
		default:
			in.OverheadBytes = overheadGB * 1e9
		}
		res := ComputeMemoryResult{Model: a.Name, GPU: g.ID, Seq: seq, MicroBatch: mb}
		if res.Model == "" {
			res.Model = "custom architecture"
		}
		if cheapest {
			for _, f := range []string{"tp", "pp", "zero", "recompute"} {
				if c.Flags().Changed(f) {
					return fmt.Errorf("--%s: --cheapest searches the layout; drop --%s", f, f)
				}
			}
			ch, err := memory.Cheapest(in, maxN)
			if err != nil {
				return memFlagErrors(err)
			}
			res.Breakdown = ch.Breakdown
			res.Cheapest = &ComputeMemorySearch{Penalty: ch.Penalty, Tried: ch.Tried, Fitting: ch.Fitting, Why: ch.Why, WhyDetails: ch.WhyDetails, Alternatives: ch.Alternatives}
		} else {
			if gpus == 0 {
				in.GPUs = 0 // tp × pp GPUs
			}
			b, err := memory.Plan(in)
			if err != nil {
				return memFlagErrors(err)
			}
			res.Breakdown = b
		}
		if o.JSON {
			return writeJSON(o.Out(), res)
		}
		return hwWriteTables(o, memTables(o, res)...)
	}
	fs := cmd.Flags()
	fs.StringVar(&gpuName, "gpu", "", "accelerator from the catalogue (kaiwu compute gpus), e.g. h100, a100-40gb, 910b")
	fs.IntVar(&gpus, "gpus", 0, "total GPUs (default tp × pp; with --cheapest: the fewest that fit)")
	fs.IntVar(&tp, "tp", 1, "tensor-parallel degree (must divide the heads)")
	fs.IntVar(&pp, "pp", 1, "pipeline-parallel degree (must divide the layers)")
	fs.IntVar(&zero, "zero", 0, "ZeRO stage 0–3 across the data-parallel ranks")
	fs.StringVar(&recompute, "recompute", "none", "activation recomputation: none, selective or full")
	fs.IntVar(&seq, "seq", 0, "sequence length (default: the model's context, ≤ 8192, or 4096)")
	fs.IntVar(&mb, "micro-batch", 1, "micro-batch size (sequences per GPU per step)")
	fs.BoolVar(&noSP, "no-sp", false, "turn sequence parallelism off (it is on with tp > 1 by default)")
	fs.Float64Var(&overheadGB, "overhead", 0, "fixed per-GPU overhead in GB (default 2: CUDA context, workspaces)")
	fs.BoolVar(&cheapest, "cheapest", false, "search TP, PP, ZeRO and recomputation for the layout that fits with the least slow-down")
	fs.IntVar(&maxN, "max-gpus", 4096, "with --cheapest and no --gpus: the most GPUs to try")
	fs.StringVar(&hwFile, "hw-file", "", "hardware catalogue overrides (YAML/JSON, see kaiwu compute gpus --file)")
	return cmd
}

func memGB(b float64) string { return fmt.Sprintf("%.2f GB", b/1e9) }

func memTables(o *Options, r ComputeMemoryResult) []Table {
	b := r.Breakdown
	kv := Table{Header: []string{o.T("cmem.item"), o.T("cmem.value")}, Right: map[int]bool{1: true}}
	add := func(k, v string) { kv.Rows = append(kv.Rows, []string{o.T(k), v}) }
	fits := o.T("cmem.no")
	if b.Fits {
		fits = o.T("cmem.yes")
	}
	add("cmem.layout", b.Layout.String())
	add("cmem.gpus", itoa(b.GPUs)+" × "+r.GPU)
	add("cmem.params", hwSI(b.ParamsPerGPU))
	add("cmem.weights", memGB(b.Weights))
	add("cmem.grads", memGB(b.Gradients))
	add("cmem.optimizer", memGB(b.Optimizer))
	add("cmem.act_layer", memGB(b.ActivationsPerLayer))
	add("cmem.activations", memGB(b.Activations))
	add("cmem.overhead", memGB(b.Overhead))
	add("cmem.total", memGB(b.Total))
	add("cmem.capacity", memGB(b.Capacity))
	add("cmem.fits", fits)
	for _, n := range b.NoteDetails {
		add("cmem.note", o.Note("note.memory.", n))
	}
	ts := []Table{kv}
	if r.Cheapest != nil {
		w := Table{Header: []string{o.T("cmem.why")}}
		for _, n := range r.Cheapest.WhyDetails {
			w.Rows = append(w.Rows, []string{"- " + o.Note("note.memory.", n)})
		}
		ts = append(ts, w)
		if len(r.Cheapest.Alternatives) > 0 {
			alt := Table{Header: []string{o.T("cmem.alternatives"), o.T("cmem.total")}, Right: map[int]bool{1: true}}
			for _, x := range r.Cheapest.Alternatives {
				alt.Rows = append(alt.Rows, []string{x.Layout.String(), memGB(x.Total)})
			}
			ts = append(ts, alt)
		}
	}
	return ts
}
