package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/engine/ckpt"
	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/data/tokenize"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/train"
)

// EvalResult is the JSON shape of kaiwu eval --json: the metrics of the
// task (accuracy, f1_macro for classify; mse, rmse, mae, r2 for regress;
// loss, perplexity for lm), and for classification the class names and
// the confusion matrix (rows: true class, columns: predicted).
type EvalResult struct {
	Task      string             `json:"task"`
	Data      string             `json:"data"`
	Samples   int                `json:"samples"`
	Metrics   map[string]float64 `json:"metrics"`
	Classes   []string           `json:"classes,omitempty"`
	Confusion [][]int            `json:"confusion,omitempty"`
}

// trained is an opened checkpoint with its data pipeline.
type trained struct {
	*ckpt.Checkpoint
	pipe *ckpt.DataPipeline
}

// openTrained opens a checkpoint written by kaiwu train.
func openTrained(path string) (*trained, error) {
	if path == "" {
		return nil, errors.New("--model: required (a checkpoint written by kaiwu train)")
	}
	c, err := ckpt.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--model %s: %w", path, err)
	}
	p, err := ckpt.ParseDataPipeline(c.Pipeline)
	if err != nil {
		return nil, fmt.Errorf("--model %s: %w", path, err)
	}
	nn.Eval(c.Model)
	return &trained{c, p}, nil
}

// tokenizer decodes the checkpoint's char tokenizer.
func (t *trained) tokenizer() (*tokenize.Char, error) {
	var tok tokenize.Char
	if len(t.pipe.Tokenizer) == 0 {
		return nil, errors.New("the checkpoint's data pipeline has no tokenizer")
	}
	if err := json.Unmarshal(t.pipe.Tokenizer, &tok); err != nil {
		return nil, fmt.Errorf("the checkpoint's tokenizer: %w", err)
	}
	return &tok, nil
}

// table decodes the checkpoint's CSV preprocessing.
func (t *trained) table() (*data.Pipeline, error) {
	var p data.Pipeline
	if err := json.Unmarshal(t.pipe.Table, &p); err != nil {
		return nil, fmt.Errorf("the checkpoint's preprocessing: %w", err)
	}
	return &p, nil
}

// csvFeatures applies the saved preprocessing to a table and returns the
// model's input matrix.
func (t *trained) csvFeatures(tab *data.Table) ([]float32, error) {
	p, err := t.table()
	if err != nil {
		return nil, err
	}
	out, err := p.Transform(tab)
	if err != nil {
		return nil, err
	}
	return out.Matrix(t.pipe.Features...)
}

// evalData reads --data for evaluation with the checkpoint's pipeline.
func (t *trained) evalData(path, target string) (data.Dataset, error) {
	kind, err := dataKind(path)
	if err != nil {
		return nil, err
	}
	p := t.pipe
	if (kind == "text") != (p.Task == taskLM) {
		return nil, fmt.Errorf("--data %s is %s data but the model was trained for %s on %s data", path, kind, p.Task, p.Source)
	}
	var ds data.Dataset
	switch kind {
	case "csv":
		if target == "" {
			target = p.Target
		}
		tab, err := data.ReadCSV(path, data.CSVOptions{})
		if err != nil {
			return nil, fmt.Errorf("--data: %w", err)
		}
		tc := tab.Column(target)
		if tc == nil {
			return nil, fmt.Errorf("--target %q: %s has no such column (columns: %v)", target, path, columnNames(tab))
		}
		var rows []int
		for i := range tc.Len() {
			if !tc.Missing[i] {
				rows = append(rows, i)
			}
		}
		tab = rowsOf(tab, rows)
		tc = tab.Column(target)
		x, err := t.csvFeatures(tab)
		if err != nil {
			return nil, fmt.Errorf("--data %s: %w", path, err)
		}
		n := tab.Rows()
		if p.Task == taskClassify {
			labels := make([]int, n)
			for i := range labels {
				v := targetString(tc, i)
				if labels[i] = slices.Index(p.Classes, v); labels[i] < 0 {
					return nil, fmt.Errorf("--data %s: row %d: class %q of column %q was not seen in training (classes: %v)", path, rows[i]+2, v, target, p.Classes)
				}
			}
			ds, err = data.NewMemory(n, x, []int{len(p.Features)}, nil, 0, labels, 1)
		} else {
			if tc.Type != data.Number {
				return nil, fmt.Errorf("--target %q: column of %s is %v, not numbers", target, path, tc.Type)
			}
			y := make([]float32, n)
			for i := range y {
				y[i] = float32((tc.Num[i] - p.TargetScale[0]) / p.TargetScale[1])
			}
			ds, err = data.NewMemory(n, x, []int{len(p.Features)}, y, 1, nil, 0)
		}
		if err != nil {
			return nil, err
		}
	case "idx":
		_, test, err := data.LoadMNIST(path)
		if err != nil {
			return nil, fmt.Errorf("--data: %w", err)
		}
		ds = test
	case "images":
		g := p.Image
		if g == nil {
			return nil, fmt.Errorf("--data %s: the model was not trained on images", path)
		}
		imgs, err := data.ReadImageFolder(path, data.ImageFolderOptions{Width: g.Width, Height: g.Height, Gray: g.Gray})
		if err != nil {
			return nil, fmt.Errorf("--data: %w", err)
		}
		for i, l := range imgs.Labels {
			name := imgs.ClassNames[l]
			if imgs.Labels[i] = slices.Index(p.Classes, name); imgs.Labels[i] < 0 {
				return nil, fmt.Errorf("--data %s: class folder %q was not seen in training (classes: %v)", path, name, p.Classes)
			}
		}
		ds = imgs
	case "text":
		tok, err := t.tokenizer()
		if err != nil {
			return nil, err
		}
		text, err := readCorpus(path)
		if err != nil {
			return nil, fmt.Errorf("--data: %w", err)
		}
		w := &data.TokenWindows{Stream: tok.Encode(text), Context: p.Context}
		if w.Len() == 0 {
			return nil, fmt.Errorf("--data %s: too short for one window of %d tokens", path, p.Context)
		}
		return w, nil
	}
	ds, _, err = fitInput(ds, p.Input, path)
	return ds, err
}

// forwardAll runs the model over ds in evaluation mode and collects the
// outputs with the labels and targets.
func forwardAll(m nn.Module, ds data.Dataset) (*train.Predictions, error) {
	loader, err := data.NewDataLoader(ds, data.LoaderConfig{BatchSize: 256})
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	p := &train.Predictions{}
	spec := ds.Spec()
	loader.Start(0)
	prev := tensor.SetGradEnabled(false)
	defer tensor.SetGradEnabled(prev)
	for loader.Next() {
		b := loader.Batch()
		x, err := train.DefaultInput(b, spec)
		if err != nil {
			return nil, err
		}
		out, err := m.Forward(x)
		if err != nil {
			return nil, err
		}
		k := 1
		if out.Dim() > 1 {
			k = out.Size(out.Dim() - 1)
		}
		p.K = k
		c, err := out.Contiguous()
		if err != nil {
			return nil, err
		}
		p.Outputs = append(p.Outputs, c.Data()...)
		p.Labels = append(p.Labels, b.Labels...)
		p.Targets = append(p.Targets, b.Y...)
	}
	return p, loader.Err()
}

// evaluate computes the task's metrics of the model on ds.
func (t *trained) evaluate(ds data.Dataset) (EvalResult, error) {
	r := EvalResult{Task: t.pipe.Task, Samples: ds.Len(), Metrics: map[string]float64{}}
	p, err := forwardAll(t.Model, ds)
	if err != nil {
		return r, err
	}
	switch t.pipe.Task {
	case taskClassify:
		pred := train.Argmax(p.Outputs, p.K)
		if p.K == 1 {
			pred = make([]int, len(p.Outputs))
			for i, v := range p.Outputs {
				if v > 0 {
					pred[i] = 1
				}
			}
		}
		if r.Metrics["accuracy"], err = train.AccuracyScore(p.Labels, pred); err != nil {
			return r, err
		}
		_, _, f1, err := train.PrecisionRecallF1(p.Labels, pred, train.Macro)
		if err != nil {
			return r, err
		}
		r.Metrics["f1_macro"] = f1
		r.Classes = t.pipe.Classes
		if r.Confusion, err = train.ConfusionMatrix(p.Labels, pred, len(t.pipe.Classes)); err != nil {
			return r, err
		}
	case taskRegress:
		m, s := t.pipe.TargetScale[0], t.pipe.TargetScale[1]
		y, o := make([]float64, len(p.Targets)), make([]float64, len(p.Outputs))
		for i := range y {
			y[i] = float64(p.Targets[i])*s + m
		}
		for i := range o {
			o[i] = float64(p.Outputs[i])*s + m
		}
		for name, f := range map[string]func(a, b []float64) (float64, error){"mse": train.MSE, "rmse": train.RMSE, "mae": train.MAE, "r2": train.R2} {
			if r.Metrics[name], err = f(y, o); err != nil {
				return r, err
			}
		}
	case taskLM:
		ppl, err := train.PerplexityMetric().Fn(p)
		if err != nil {
			return r, err
		}
		r.Metrics["perplexity"], r.Metrics["loss"] = ppl, math.Log(ppl)
	}
	return r, nil
}

func newEvalCommand(o *Options) *cobra.Command {
	var model, path, target string
	cmd := &cobra.Command{
		Use:   "eval --model CKPT --data DATA",
		Short: T(o.Lang, "short.eval"),
		Long: `Evaluate a checkpoint written by kaiwu train on DATA of the kind it was
trained on (an IDX directory is evaluated on its t10k test files), applying
the preprocessing saved in the checkpoint. Classification reports accuracy,
macro F1 and the confusion matrix; regression MSE, RMSE, MAE and R²;
language models loss and perplexity.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := openTrained(model)
			if err != nil {
				return err
			}
			if path == "" {
				return errors.New("--data: required")
			}
			if target != "" && t.pipe.Source != "csv" {
				return fmt.Errorf("--target %q: the model was not trained on CSV data", target)
			}
			ds, err := t.evalData(path, target)
			if err != nil {
				return err
			}
			r, err := t.evaluate(ds)
			if err != nil {
				return fmt.Errorf("--data %s: %w", path, err)
			}
			r.Data = path
			if o.JSON {
				return writeJSON(o.Out(), r)
			}
			mt := Table{Header: []string{o.T("metric"), o.T("value")}, Right: map[int]bool{1: true}}
			for _, k := range []string{"accuracy", "f1_macro", "mse", "rmse", "mae", "r2", "loss", "perplexity"} {
				if v, ok := r.Metrics[k]; ok {
					mt.Rows = append(mt.Rows, []string{k, strconv.FormatFloat(v, 'g', 6, 64)})
				}
			}
			mt.Rows = append(mt.Rows, []string{o.T("eval.samples"), itoa(r.Samples)})
			if err := mt.Write(o.Out()); err != nil {
				return err
			}
			if r.Confusion == nil {
				return nil
			}
			fmt.Fprintln(o.Out())
			fmt.Fprintln(o.Out(), o.T("eval.confusion"))
			ct := Table{Header: append([]string{""}, r.Classes...), Right: map[int]bool{}}
			for i := range r.Classes {
				ct.Right[i+1] = true
				row := []string{r.Classes[i]}
				for _, n := range r.Confusion[i] {
					row = append(row, itoa(n))
				}
				ct.Rows = append(ct.Rows, row)
			}
			return ct.Write(o.Out())
		},
	}
	cmd.Flags().StringVar(&model, "model", "", "checkpoint written by kaiwu train (required)")
	cmd.Flags().StringVar(&path, "data", "", "data to evaluate on, of the kind the model was trained on (required)")
	cmd.Flags().StringVar(&target, "target", "", "CSV column holding the truth (default: the training target)")
	return cmd
}
