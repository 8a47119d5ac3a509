package web

import (
	"context"
	"errors"
	"fmt"

	"github.com/kaiwu-ai/kaiwu/compute/hw"
	"github.com/kaiwu-ai/kaiwu/compute/memory"
	"github.com/kaiwu-ai/kaiwu/compute/serve"
	"github.com/kaiwu-ai/kaiwu/compute/train"
	"github.com/kaiwu-ai/kaiwu/msg"
	"github.com/kaiwu-ai/kaiwu/workspace"
)

// ComputeTrainOutput is GET /api/compute/train: the training plan and,
// when the document gives a start month, its monthly spend.
type ComputeTrainOutput struct {
	*train.Plan
	Schedule []train.MonthlyCost `json:"schedule,omitempty"`
}

// ComputeMemoryOutput is GET /api/compute/memory: the per-GPU training
// memory of the cheapest layout of the training run's GPUs.
type ComputeMemoryOutput struct {
	Model string `json:"model"`
	GPU   string `json:"gpu"`
	Seq   int    `json:"seq"`
	*memory.Breakdown
	// Why explains the choice in English; WhyDetails holds the same
	// sentences with their codes and arguments (compute/memory.Notes).
	Why        []string   `json:"why,omitempty"`
	WhyDetails []msg.Note `json:"why_details,omitempty"`
}

// errNoRun is a compute plan without the requested part.
var errNoRun = errors.New("the compute plan has no such run")

func (s *server) computePlan(ctx context.Context, name string) (*workspace.ComputePlan, workspace.Document, error) {
	d, err := s.doc(ctx, workspace.KindCompute, name)
	if err != nil {
		return nil, d, err
	}
	p, err := workspace.ParseComputePlan([]byte(d.Body))
	if err != nil {
		return nil, d, &docError{d.Kind, d.Name, err}
	}
	return p, d, nil
}

// computeTrain plans the document's training run.
func (s *server) computeTrain(ctx context.Context, name string) (*ComputeTrainOutput, error) {
	p, d, err := s.computePlan(ctx, name)
	if err != nil {
		return nil, err
	}
	in, ok, err := p.TrainingInput()
	if err != nil {
		return nil, &docError{d.Kind, d.Name, err}
	}
	if !ok {
		return nil, &docError{d.Kind, d.Name, fmt.Errorf("training: %w", errNoRun)}
	}
	plan, err := train.New(in)
	if err != nil {
		return nil, &docError{d.Kind, d.Name, err}
	}
	out := &ComputeTrainOutput{Plan: plan}
	if p.Training.Start != "" {
		if out.Schedule, err = plan.Schedule(p.Training.Start); err != nil {
			return nil, &docError{d.Kind, d.Name, fmt.Errorf("training.start: %w", err)}
		}
	}
	return out, nil
}

// computeMemory finds the cheapest training layout on the training run's
// GPUs (compute/memory.Cheapest).
func (s *server) computeMemory(ctx context.Context, name string) (*ComputeMemoryOutput, error) {
	p, d, err := s.computePlan(ctx, name)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*ComputeMemoryOutput, error) { return nil, &docError{d.Kind, d.Name, err} }
	if p.Training == nil {
		return fail(fmt.Errorf("training: %w", errNoRun))
	}
	a, err := p.Arch()
	if err != nil {
		return fail(err)
	}
	if a.IsNominal() {
		return fail(errors.New("model: activation memory needs an architecture: give model.preset"))
	}
	g, err := hw.Lookup(p.Training.GPU)
	if err != nil {
		return fail(fmt.Errorf("training.gpu: %w", err))
	}
	seq := p.Training.Seq
	if seq == 0 {
		seq = 4096
		if a.MaxSeq > 0 {
			seq = min(a.MaxSeq, 8192)
		}
	}
	in := memory.Input{Arch: a, GPU: g, GPUs: p.Training.GPUs, Seq: seq, MicroBatch: 1,
		Layout: memory.Layout{TP: 1, PP: 1, SequenceParallel: true}}
	ch, err := memory.Cheapest(in, 4096)
	if err != nil {
		return fail(err)
	}
	name = a.Name
	if name == "" {
		name = p.Model.Preset
	}
	return &ComputeMemoryOutput{Model: name, GPU: g.ID, Seq: seq, Breakdown: ch.Breakdown, Why: ch.Why, WhyDetails: ch.WhyDetails}, nil
}

// ComputeServeOutput is GET /api/compute/serve: the serving analysis and,
// when the plan gives monthly token volumes, the month's economics at the
// operating point.
type ComputeServeOutput struct {
	*serve.Result
	Monthly *serve.Monthly `json:"monthly,omitempty"`
}

// computeServe analyses the document's serving side.
func (s *server) computeServe(ctx context.Context, name string) (*ComputeServeOutput, error) {
	p, d, err := s.computePlan(ctx, name)
	if err != nil {
		return nil, err
	}
	in, ok, err := p.ServingInput()
	if err != nil {
		return nil, &docError{d.Kind, d.Name, err}
	}
	if !ok {
		return nil, &docError{d.Kind, d.Name, fmt.Errorf("serving: %w", errNoRun)}
	}
	r, err := serve.Analyze(in)
	if err != nil {
		return nil, &docError{d.Kind, d.Name, err}
	}
	out := &ComputeServeOutput{Result: r}
	if sv := p.Serving; sv.MonthlyInputTokens > 0 || sv.MonthlyOutputTokens > 0 {
		if row, ok := r.Operating(); ok {
			m := r.Monthly(row, float64(sv.MonthlyInputTokens), float64(sv.MonthlyOutputTokens), in.PriceIn, in.PriceOut)
			out.Monthly = &m
		}
	}
	return out, nil
}
