package train

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// cancelAt cancels a context after optimizer step step.
type cancelAt struct {
	step   int
	cancel context.CancelFunc
}

func (c cancelAt) OnBatchEnd(_ *Trainer, s Status) error {
	if s.Step == c.step {
		c.cancel()
	}
	return nil
}

func (c cancelAt) OnEpochEnd(*Trainer, Status, Logs) error { return nil }

// TestFitContextCancelThenResume cancels a run between steps and during a
// validation; the error says where, the Trainer keeps the state of the
// last completed step, and a checkpoint saved then resumes into the
// uninterrupted run.
func TestFitContextCancelThenResume(t *testing.T) {
	tr, va := spirals(t)
	dir := t.TempDir()
	a := newSetup(t, 3, filepath.Join(dir, "a.safetensors"), Options{Epochs: 3, Scheduler: "steplr"})
	logsA, err := a.tr.Fit(tr, va)
	if err != nil {
		t.Fatal(err)
	}
	// 240 training points in batches of 64: 4 steps per epoch, 12 in all.
	for _, c := range []struct {
		at         int
		want       string
		epochsDone int
	}{
		{6, "train: canceled at step 6 of 12 (epoch 2 of 3): context canceled", 1},
		{4, "train: canceled at step 4 of 12 (epoch 1 of 3), validating after epoch 1: context canceled", 0},
	} {
		b := newSetup(t, 3, filepath.Join(dir, "b.safetensors"), Options{Epochs: 3, Scheduler: "steplr"})
		ctx, cancel := context.WithCancel(context.Background())
		b.tr.Opts.Callbacks = append(b.tr.Opts.Callbacks, cancelAt{c.at, cancel})
		_, err := b.tr.FitContext(ctx, tr, va)
		cancel()
		if !errors.Is(err, context.Canceled) || err.Error() != c.want {
			t.Fatalf("cancel after step %d: error %v, want %q", c.at, err, c.want)
		}
		if b.tr.Step() != c.at || b.tr.Epoch() != c.epochsDone {
			t.Fatalf("cancel after step %d: stopped at step %d, %d epochs done", c.at, b.tr.Step(), b.tr.Epoch())
		}
		mid := filepath.Join(dir, "mid.safetensors")
		if err := b.tr.Save(mid); err != nil {
			t.Fatal(err)
		}
		r := newSetup(t, 7, filepath.Join(dir, "r.safetensors"), Options{Epochs: 3, Scheduler: "steplr"})
		if err := r.tr.Resume(mid); err != nil {
			t.Fatal(err)
		}
		logsR, err := r.tr.FitContext(context.Background(), tr, va)
		if err != nil {
			t.Fatal(err)
		}
		sameLogs(t, "resumed after cancellation", logsA, logsR)
		sameWeights(t, a.model, r.model)
	}
}

func TestEvaluateContextCanceled(t *testing.T) {
	_, va := spirals(t)
	s := newSetup(t, 3, "", Options{Epochs: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := s.tr.EvaluateContext(ctx, va)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "evaluation canceled at batch 1 of 1") {
		t.Fatalf("error %v", err)
	}
	if _, _, err := s.tr.Evaluate(va); err != nil {
		t.Fatalf("Evaluate outside Fit: %v", err)
	}
}
