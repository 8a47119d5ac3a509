package ckpt

import (
	"encoding/json"
	"fmt"
)

// DataPipelineFormat marks a DataPipeline in a checkpoint's kaiwu.pipeline
// metadata.
const DataPipelineFormat = "kaiwu.data/1"

// DataPipeline is what `kaiwu train` stores under kaiwu.pipeline: every
// step from raw input to the model's input tensor and back from its
// output, so that eval, predict, generate and serving apply exactly the
// transform the model was trained with.
type DataPipeline struct {
	// Format is DataPipelineFormat.
	Format string `json:"format"`
	// Task is classify, regress or lm.
	Task string `json:"task"`
	// Source is the kind of training data: csv, idx, images or text.
	Source string `json:"source"`
	// Input is the shape of one model input sample (without the batch).
	Input []int `json:"input,omitempty"`
	// Target is the CSV column the model predicts.
	Target string `json:"target,omitempty"`
	// Features are the model's input columns after preprocessing, in
	// order (one-hot columns are named "column=value").
	Features []string `json:"features,omitempty"`
	// Classes names the output classes, in output order.
	Classes []string `json:"classes,omitempty"`
	// TargetScale is a regression target's standardisation [mean, std]:
	// the model predicts (y - mean) / std.
	TargetScale *[2]float64 `json:"target_scale,omitempty"`
	// Table is the fitted CSV preprocessing (data.Pipeline's JSON).
	Table json.RawMessage `json:"table,omitempty"`
	// Tokenizer is a language model's tokenizer (tokenize.Char's JSON).
	Tokenizer json.RawMessage `json:"tokenizer,omitempty"`
	// Context is a language model's window length in tokens.
	Context int `json:"context,omitempty"`
	// Image is the geometry images are read at.
	Image *ImageGeometry `json:"image,omitempty"`
}

// ImageGeometry is how image inputs are decoded: resized to Width ×
// Height, gray or RGB, values in [0, 1].
type ImageGeometry struct {
	Width  int  `json:"width"`
	Height int  `json:"height"`
	Gray   bool `json:"gray,omitempty"`
}

// ParseDataPipeline decodes a checkpoint's kaiwu.pipeline written by
// kaiwu train; other pipelines (a bare data.Pipeline) are an error.
func ParseDataPipeline(raw json.RawMessage) (*DataPipeline, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("ckpt: the checkpoint has no data pipeline (metadata key %q); it was not written by kaiwu train", MetaPipeline)
	}
	var p DataPipeline
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("ckpt: data pipeline (%s): %w", MetaPipeline, err)
	}
	if p.Format != DataPipelineFormat {
		return nil, fmt.Errorf("ckpt: data pipeline (%s) has format %q, want %q", MetaPipeline, p.Format, DataPipelineFormat)
	}
	switch p.Task {
	case "classify", "regress", "lm":
	default:
		return nil, fmt.Errorf("ckpt: data pipeline (%s): unknown task %q", MetaPipeline, p.Task)
	}
	return &p, nil
}
