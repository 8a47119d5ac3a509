package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/engine/ckpt"
	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/data/tokenize"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/train"
)

func init() {
	addMessages(map[string][2]string{
		"short.train":    {"Train a model from a spec (YAML/JSON) on a CSV, IDX, image folder or text", "按模型规格（YAML/JSON）在 CSV、IDX、图片目录或文本上训练模型"},
		"short.eval":     {"Evaluate a checkpoint on data", "在数据上评估检查点"},
		"short.predict":  {"Predict with a checkpoint on a CSV, an image or stdin", "用检查点对 CSV、图片或标准输入做预测"},
		"short.generate": {"Generate text from a language-model checkpoint", "用语言模型检查点生成文本"},
		"train.valloss":  {"val loss", "验证损失"},
		"train.lr":       {"lr", "学习率"},
		"train.best":     {"best epoch", "最佳轮次"},
		"train.out":      {"checkpoint", "检查点"},
		"train.params":   {"parameters", "参数量"},
		"train.samples":  {"samples (train / val)", "样本数（训练 / 验证）"},
		"train.task":     {"task", "任务"},
		"eval.samples":   {"samples", "样本数"},
		"metric":         {"metric", "指标"},
		"value":          {"value", "数值"},
		"row":            {"row", "行"},
		"class":          {"class", "类别"},
		"probability":    {"probability", "概率"},
		"prediction":     {"prediction", "预测值"},
		"eval.confusion": {"confusion matrix (rows: true, columns: predicted)", "混淆矩阵（行：真实，列：预测）"},
	})
}

// Tasks kaiwu train knows.
const (
	taskClassify = "classify"
	taskRegress  = "regress"
	taskLM       = "lm"
)

// trainConfig holds the flags of kaiwu train.
type trainConfig struct {
	Spec, Data, Task, Target, Out, Resume, Optimizer, Schedule string
	ClassNames                                                 string
	Epochs, Steps, Batch, EarlyStop, Context, ImageSize        int
	LR, Val                                                    float64
	Seed                                                       uint64
}

// TrainEpoch is one epoch's logs in kaiwu train --json.
type TrainEpoch struct {
	Epoch int                `json:"epoch"`
	Logs  map[string]float64 `json:"logs"`
}

// TrainResult is the JSON shape of kaiwu train --json.
type TrainResult struct {
	Task         string             `json:"task"`
	Data         string             `json:"data"`
	Source       string             `json:"source"`
	Model        string             `json:"model"`
	Parameters   int                `json:"parameters"`
	TrainSamples int                `json:"train_samples"`
	ValSamples   int                `json:"val_samples"`
	Optimizer    string             `json:"optimizer"`
	Epochs       int                `json:"epochs"`
	Steps        int                `json:"steps"`
	BestEpoch    int                `json:"best_epoch,omitempty"`
	Checkpoint   string             `json:"checkpoint"`
	Seconds      float64            `json:"seconds"`
	Final        map[string]float64 `json:"final"`
	History      []TrainEpoch       `json:"history"`
}

func newTrainCommand(o *Options) *cobra.Command {
	c := trainConfig{}
	cmd := &cobra.Command{
		Use:   "train --spec model.yaml --data DATA",
		Short: T(o.Lang, "short.train"),
		Long: `Train a model described by a spec (docs/formats/model-spec.md) on DATA:
a CSV file (with --target), an IDX directory (MNIST / Fashion-MNIST), an
image folder (one subdirectory per class) or a UTF-8 text file (--task lm;
the tang300 fortune file is read poem by poem). The preprocessing fitted on
the training split (imputation, scaling, one-hot; or the char tokenizer) is
saved in the checkpoint, which is written atomically and holds the best
model by validation loss.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runTrain(o, c) },
	}
	f := cmd.Flags()
	f.StringVar(&c.Spec, "spec", "", "model spec, YAML or JSON (required)")
	f.StringVar(&c.Data, "data", "", "training data: CSV file, IDX directory, image folder or text file (required)")
	f.StringVar(&c.Task, "task", "", "classify, regress or lm (default: from the data)")
	f.StringVar(&c.Target, "target", "", "CSV column to predict")
	f.IntVar(&c.Epochs, "epochs", 0, "passes over the training data (default 10 unless --steps is set)")
	f.IntVar(&c.Steps, "steps", 0, "stop after this many optimizer steps")
	f.IntVar(&c.Batch, "batch", 64, "mini-batch size")
	f.Float64Var(&c.LR, "lr", 1e-3, "learning rate")
	f.StringVar(&c.Optimizer, "optimizer", "adam", "adam, adamw, sgd, rmsprop or adagrad")
	f.StringVar(&c.Schedule, "schedule", "none", "learning-rate schedule: cosine, step, onecycle or none")
	f.Float64Var(&c.Val, "val", 0.1, "fraction of the data held out for validation (0 for none)")
	f.Uint64Var(&c.Seed, "seed", 1, "seed for the split, shuffling and dropout")
	f.StringVar(&c.Out, "out", "model.safetensors", "checkpoint to write")
	f.StringVar(&c.Resume, "resume", "", "training checkpoint to resume from (same spec, data and flags)")
	f.IntVar(&c.EarlyStop, "early-stop", 0, "stop after this many epochs without a better val loss (0: off)")
	f.IntVar(&c.Context, "context", 64, "language models: window length in tokens (a gpt spec's context wins)")
	f.StringVar(&c.ClassNames, "class-names", "", "IDX data: class names in label order, comma-separated or @FILE with one per line (default: Fashion-MNIST's names when the directory's name contains \"fashion\", else the label numbers)")
	f.IntVar(&c.ImageSize, "image-size", 0, "image folders: resize to this many pixels square (default: the spec's input, else 32)")
	return cmd
}

func (c trainConfig) validate() error {
	switch {
	case c.Spec == "":
		return errors.New("--spec: required (a model spec, YAML or JSON; see docs/formats/model-spec.md)")
	case c.Data == "":
		return errors.New("--data: required (a CSV file, an IDX directory, an image folder or a text file)")
	case c.Task != "" && c.Task != taskClassify && c.Task != taskRegress && c.Task != taskLM:
		return fmt.Errorf("--task %q: unknown task (want classify, regress or lm)", c.Task)
	case c.Epochs < 0 || c.Steps < 0:
		return fmt.Errorf("--epochs %d / --steps %d: must not be negative", c.Epochs, c.Steps)
	case c.Batch < 1:
		return fmt.Errorf("--batch %d: want a positive batch size", c.Batch)
	case !(c.LR > 0 && c.LR < 10):
		return fmt.Errorf("--lr %g: want a learning rate in (0, 10)", c.LR)
	case !(c.Val >= 0 && c.Val < 1):
		return fmt.Errorf("--val %g: want a fraction in [0, 1)", c.Val)
	case c.EarlyStop < 0:
		return fmt.Errorf("--early-stop %d: must not be negative", c.EarlyStop)
	case c.Context < 1:
		return fmt.Errorf("--context %d: want a positive window length", c.Context)
	case c.ImageSize < 0 || c.ImageSize > 4096:
		return fmt.Errorf("--image-size %d: want 1..4096", c.ImageSize)
	case c.Out == "":
		return errors.New("--out: empty checkpoint path")
	}
	if !slices.Contains([]string{"adam", "adamw", "sgd", "rmsprop", "adagrad"}, c.Optimizer) {
		return fmt.Errorf("--optimizer %q: unknown (want adam, adamw, sgd, rmsprop or adagrad)", c.Optimizer)
	}
	if !slices.Contains([]string{"cosine", "step", "onecycle", "none"}, c.Schedule) {
		return fmt.Errorf("--schedule %q: unknown (want cosine, step, onecycle or none)", c.Schedule)
	}
	return nil
}

// readSpec reads and parses the spec file, naming it in errors.
func readSpec(path string) (*ckpt.Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--spec: %w", err)
	}
	s, err := ckpt.ParseSpec(b)
	if err != nil {
		return nil, fmt.Errorf("--spec %s: %w", path, err)
	}
	return s, nil
}

// modelInput is the sample shape the spec's model expects, when the spec
// says: its input, an mlp's first size, or a leading linear layer's in.
func modelInput(s *ckpt.Spec) []int {
	switch {
	case len(s.Input) > 0:
		return s.Input
	case s.Type == "mlp" && len(s.Sizes) > 0:
		return s.Sizes[:1]
	case s.Type == "sequential" && len(s.Layers) > 0 && strings.EqualFold(s.Layers[0].Type, "linear") && s.Layers[0].In > 0 && len(s.Layers) > 0:
		return []int{int(s.Layers[0].In)}
	}
	return nil
}

func prod(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// reshaped presents a dataset's features with another shape of the same
// size (images [1, 28, 28] to an MLP's [784]).
type reshaped struct {
	data.Dataset
	x []int
}

func (r *reshaped) Spec() data.Spec {
	s := r.Dataset.Spec()
	s.X = r.x
	return s
}

// fitInput makes the data's sample shape the spec's: equal sizes are
// reshaped, different ones are an error naming both.
func fitInput(ds data.Dataset, want []int, dataPath string) (data.Dataset, []int, error) {
	have := ds.Spec().X
	if len(have) == 0 {
		return ds, nil, nil
	}
	if want == nil || slices.Equal(want, have) {
		return ds, have, nil
	}
	if prod(want) != prod(have) {
		return nil, nil, fmt.Errorf("--data %s: a sample has shape %v (%d values) but the spec's model takes %v (%d values)", dataPath, have, prod(have), want, prod(want))
	}
	return &reshaped{ds, slices.Clone(want)}, slices.Clone(want), nil
}

// trainData is the training and validation data with the pipeline that
// made them.
type trainData struct {
	train, val data.Dataset
	pipe       *ckpt.DataPipeline
	vocab      int
}

// dataKind classifies a --data path: csv, idx, images or text.
func dataKind(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("--data: %w", err)
	}
	if st.IsDir() {
		for _, n := range []string{"train-images-idx3-ubyte", "t10k-images-idx3-ubyte"} {
			for _, ext := range []string{"", ".gz"} {
				if _, err := os.Stat(filepath.Join(path, n+ext)); err == nil {
					return "idx", nil
				}
			}
		}
		return "images", nil
	}
	if strings.EqualFold(filepath.Ext(path), ".csv") || strings.EqualFold(filepath.Ext(path), ".tsv") {
		return "csv", nil
	}
	return "text", nil
}

// loadTrainData reads --data for training, fits the preprocessing on the
// training split and fills the spec's vocabulary and input shape.
func loadTrainData(c trainConfig, spec *ckpt.Spec) (*trainData, error) {
	kind, err := dataKind(c.Data)
	if err != nil {
		return nil, err
	}
	task := c.Task
	if task == taskLM && kind != "text" {
		return nil, fmt.Errorf("--task lm: --data %s is %s data; a language model trains on a text file", c.Data, kind)
	}
	if task != "" && task != taskLM && kind == "text" {
		return nil, fmt.Errorf("--task %s: --data %s is a text file (use --task lm, or a .csv file)", task, c.Data)
	}
	if c.Target != "" && kind != "csv" {
		return nil, fmt.Errorf("--target %q: only CSV data has columns (--data %s is %s data)", c.Target, c.Data, kind)
	}
	if c.ClassNames != "" && kind != "idx" {
		return nil, fmt.Errorf("--class-names: only IDX data needs class names (--data %s is %s data, whose classes are named by %s)", c.Data, kind,
			map[string]string{"csv": "the target column's values", "images": "the class subdirectories", "text": "nothing: it has no classes"}[kind])
	}
	switch kind {
	case "csv":
		return loadCSVTrain(c, spec)
	case "text":
		return loadTextTrain(c, spec)
	}
	if task == taskRegress {
		return nil, fmt.Errorf("--task regress: %s data has class labels; use --task classify", kind)
	}
	var imgs *data.Images
	pipe := &ckpt.DataPipeline{Format: ckpt.DataPipelineFormat, Task: taskClassify, Source: kind}
	if kind == "idx" {
		if imgs, _, err = data.LoadMNIST(c.Data); err != nil {
			return nil, fmt.Errorf("--data: %w", err)
		}
		pipe.Image = &ckpt.ImageGeometry{Width: imgs.W, Height: imgs.H, Gray: true}
		if pipe.Classes, err = idxClassNames(c.ClassNames, imgs); err != nil {
			return nil, err
		}
	} else {
		g := imageGeometry(c.ImageSize, modelInput(spec))
		if imgs, err = data.ReadImageFolder(c.Data, data.ImageFolderOptions{Width: g.Width, Height: g.Height, Gray: g.Gray}); err != nil {
			return nil, fmt.Errorf("--data: %w", err)
		}
		pipe.Image, pipe.Classes = g, imgs.ClassNames
	}
	ds, shape, err := fitInput(imgs, modelInput(spec), c.Data)
	if err != nil {
		return nil, err
	}
	pipe.Input = shape
	td := &trainData{pipe: pipe}
	td.train, td.val, err = splitLabelled(ds, imgs.Labels, c.Val, c.Seed)
	return td, err
}

// idxClassNames names the classes of IDX data: --class-names when given
// (at least as many names as the data has labels), else the names
// data.LoadMNIST recognised, else the label numbers.
func idxClassNames(flag string, imgs *data.Images) ([]string, error) {
	if flag == "" {
		if imgs.ClassNames != nil {
			return imgs.ClassNames, nil
		}
		names := make([]string, imgs.Classes)
		for i := range names {
			names[i] = strconv.Itoa(i)
		}
		return names, nil
	}
	var names []string
	if path, ok := strings.CutPrefix(flag, "@"); ok {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--class-names: %w", err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				names = append(names, l)
			}
		}
	} else {
		for i, n := range strings.Split(flag, ",") {
			if n = strings.TrimSpace(n); n == "" {
				return nil, fmt.Errorf("--class-names: name %d is empty", i+1)
			}
			names = append(names, n)
		}
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return nil, fmt.Errorf("--class-names: %q appears twice", n)
		}
		seen[n] = true
	}
	if len(names) < imgs.Classes {
		return nil, fmt.Errorf("--class-names: %d names, but the data has labels 0 to %d (%d classes)", len(names), imgs.Classes-1, imgs.Classes)
	}
	return names, nil
}

// imageGeometry picks the size images are read at: --image-size, else
// the spec's [C, H, W] input, else 32×32 RGB.
func imageGeometry(size int, input []int) *ckpt.ImageGeometry {
	g := &ckpt.ImageGeometry{Width: 32, Height: 32}
	if len(input) == 3 {
		g.Gray, g.Height, g.Width = input[0] == 1, input[1], input[2]
	}
	if size > 0 {
		g.Width, g.Height = size, size
	}
	return g
}

// splitLabelled holds out a stratified fraction val (a random one when
// some class is too small to stratify).
func splitLabelled(ds data.Dataset, labels []int, val float64, seed uint64) (data.Dataset, data.Dataset, error) {
	if val == 0 {
		return ds, nil, nil
	}
	s, err := data.StratifiedSplit(labels, data.Fractions{Test: val}, seed)
	if err != nil {
		if s, err = data.RandomSplit(ds.Len(), data.Fractions{Test: val}, seed); err != nil {
			return nil, nil, fmt.Errorf("--val %g: %w", val, err)
		}
	}
	tr := append(s.Train, s.Val...)
	if len(tr) == 0 {
		return nil, nil, fmt.Errorf("--val %g: no training samples left out of %d", val, ds.Len())
	}
	return &data.Subset{Base: ds, Indices: tr}, &data.Subset{Base: ds, Indices: s.Test}, nil
}

// rowsOf returns the table restricted to rows, in that order.
func rowsOf(t *data.Table, rows []int) *data.Table {
	out := &data.Table{Source: t.Source}
	for _, c := range t.Columns {
		n := &data.Column{Name: c.Name, Type: c.Type, Missing: make([]bool, len(rows))}
		if c.Num != nil {
			n.Num = make([]float64, len(rows))
		}
		if c.Str != nil {
			n.Str = make([]string, len(rows))
		}
		for i, r := range rows {
			n.Missing[i] = c.Missing[r]
			if c.Num != nil {
				n.Num[i] = c.Num[r]
			}
			if c.Str != nil {
				n.Str[i] = c.Str[r]
			}
		}
		out.Columns = append(out.Columns, n)
	}
	return out
}

// columnNames lists a table's columns.
func columnNames(t *data.Table) []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

// without returns t without the named column (sharing the others).
func without(t *data.Table, name string) *data.Table {
	out := &data.Table{Source: t.Source}
	for _, c := range t.Columns {
		if c.Name != name {
			out.Columns = append(out.Columns, c)
		}
	}
	return out
}

// targetString renders row i of the target column as a class name.
func targetString(c *data.Column, i int) string {
	if c.Type == data.Number {
		return strconv.FormatFloat(c.Num[i], 'g', -1, 64)
	}
	return c.Str[i]
}

// guessTask picks classify for a category target or a numeric one with
// few whole values, regress otherwise.
func guessTask(c *data.Column) string {
	if c.Type != data.Number {
		return taskClassify
	}
	seen := map[float64]bool{}
	for i, v := range c.Num {
		if c.Missing[i] {
			continue
		}
		if v != math.Trunc(v) {
			return taskRegress
		}
		seen[v] = true
	}
	if len(seen) <= 20 {
		return taskClassify
	}
	return taskRegress
}

func loadCSVTrain(c trainConfig, spec *ckpt.Spec) (*trainData, error) {
	t, err := data.ReadCSV(c.Data, data.CSVOptions{})
	if err != nil {
		return nil, fmt.Errorf("--data: %w", err)
	}
	if c.Target == "" {
		return nil, fmt.Errorf("--target: required for CSV data (columns of %s: %s)", c.Data, strings.Join(columnNames(t), ", "))
	}
	tc := t.Column(c.Target)
	if tc == nil {
		return nil, fmt.Errorf("--target %q: %s has no such column (columns: %s)", c.Target, c.Data, strings.Join(columnNames(t), ", "))
	}
	task := c.Task
	if task == "" {
		task = guessTask(tc)
	}
	if task == taskRegress && tc.Type != data.Number {
		return nil, fmt.Errorf("--task regress: target column %q of %s is %v, not numbers", c.Target, c.Data, tc.Type)
	}
	var rows []int // rows with a target
	for i := range tc.Len() {
		if !tc.Missing[i] {
			rows = append(rows, i)
		}
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("--target %q: %s has %d rows with a target value; need at least 2", c.Target, c.Data, len(rows))
	}
	t = rowsOf(t, rows)
	tc = t.Column(c.Target)
	pipe := &ckpt.DataPipeline{Format: ckpt.DataPipelineFormat, Task: task, Source: "csv", Target: c.Target}
	labels := make([]int, t.Rows())
	y := make([]float32, t.Rows())
	if task == taskClassify {
		set := map[string]bool{}
		for i := range t.Rows() {
			set[targetString(tc, i)] = true
		}
		for k := range set {
			pipe.Classes = append(pipe.Classes, k)
		}
		sort.Slice(pipe.Classes, func(i, j int) bool {
			a, ea := strconv.ParseFloat(pipe.Classes[i], 64)
			b, eb := strconv.ParseFloat(pipe.Classes[j], 64)
			if ea == nil && eb == nil {
				return a < b
			}
			return pipe.Classes[i] < pipe.Classes[j]
		})
		for i := range t.Rows() {
			labels[i] = slices.Index(pipe.Classes, targetString(tc, i))
		}
	}
	// Split rows first so the preprocessing is fitted on training rows only.
	var split data.SplitIndices
	if c.Val > 0 {
		if task == taskClassify {
			split, err = data.StratifiedSplit(labels, data.Fractions{Test: c.Val}, c.Seed)
		}
		if task != taskClassify || err != nil {
			split, err = data.RandomSplit(t.Rows(), data.Fractions{Test: c.Val}, c.Seed)
		}
		if err != nil {
			return nil, fmt.Errorf("--val %g: %w", c.Val, err)
		}
		split.Train = append(split.Train, split.Val...)
	} else {
		for i := range t.Rows() {
			split.Train = append(split.Train, i)
		}
	}
	feats := without(t, c.Target)
	var nums, cats []string
	for _, col := range feats.Columns {
		switch col.Type {
		case data.Number:
			nums = append(nums, col.Name)
		case data.Category:
			cats = append(cats, col.Name)
		}
	}
	if len(nums)+len(cats) == 0 {
		return nil, fmt.Errorf("--data %s: no number or category columns besides the target %q", c.Data, c.Target)
	}
	var steps []data.Step
	if len(nums) > 0 {
		steps = append(steps, &data.Impute{Columns: nums, Strategy: "median"}, &data.Scale{Columns: nums, Method: data.ZScore})
	}
	if len(cats) > 0 {
		steps = append(steps, &data.Impute{Columns: cats, Strategy: "most_frequent"}, &data.OneHot{Columns: cats, Unknown: data.UnknownIgnore})
	}
	kept := &data.Table{Source: feats.Source}
	for _, col := range feats.Columns {
		if col.Type != data.Text {
			kept.Columns = append(kept.Columns, col)
		}
	}
	p := data.NewPipeline(steps...)
	trT, err := p.Fit(rowsOf(kept, split.Train))
	if err != nil {
		return nil, fmt.Errorf("--data %s: preprocessing: %w", c.Data, err)
	}
	if pipe.Table, err = json.Marshal(p); err != nil {
		return nil, err
	}
	pipe.Features = columnNames(trT)
	if task == taskRegress {
		var m, s float64
		for _, r := range split.Train {
			m += tc.Num[r]
		}
		m /= float64(len(split.Train))
		for _, r := range split.Train {
			s += (tc.Num[r] - m) * (tc.Num[r] - m)
		}
		s = math.Sqrt(s / float64(len(split.Train)))
		if s == 0 {
			s = 1
		}
		pipe.TargetScale = &[2]float64{m, s}
		for i := range y {
			y[i] = float32((tc.Num[i] - m) / s)
		}
	}
	mk := func(tt *data.Table, rows []int) (data.Dataset, error) {
		x, err := tt.Matrix(pipe.Features...)
		if err != nil {
			return nil, err
		}
		var ds data.Dataset
		if task == taskClassify {
			lb := make([]int, len(rows))
			for i, r := range rows {
				lb[i] = labels[r]
			}
			ds, err = data.NewMemory(len(rows), x, []int{len(pipe.Features)}, nil, 0, lb, 1)
		} else {
			yy := make([]float32, len(rows))
			for i, r := range rows {
				yy[i] = y[r]
			}
			ds, err = data.NewMemory(len(rows), x, []int{len(pipe.Features)}, yy, 1, nil, 0)
		}
		return ds, err
	}
	td := &trainData{pipe: pipe}
	if td.train, err = mk(trT, split.Train); err != nil {
		return nil, err
	}
	if len(split.Test) > 0 {
		vt, err := p.Transform(rowsOf(kept, split.Test))
		if err != nil {
			return nil, fmt.Errorf("--data %s: preprocessing the validation rows: %w", c.Data, err)
		}
		if td.val, err = mk(vt, split.Test); err != nil {
			return nil, err
		}
	}
	var shape []int
	if td.train, shape, err = fitInput(td.train, modelInput(spec), c.Data+" (after preprocessing: "+strings.Join(pipe.Features, ", ")+")"); err != nil {
		return nil, err
	}
	if td.val != nil {
		td.val = &reshaped{td.val, shape}
	}
	pipe.Input = shape
	return td, nil
}

// readCorpus reads a text file; a fortune file of poems (tang300) is
// read poem by poem without its ANSI colours.
func readCorpus(path string) (string, error) {
	s, err := data.ReadText(path)
	if err != nil {
		return "", err
	}
	if strings.Contains(s, "\n%\n") && strings.Contains(s, "《") {
		poems, err := data.ParseTangPoems(s, path)
		if err == nil && len(poems) > 0 {
			var b strings.Builder
			for _, p := range poems {
				b.WriteString(p.Text())
				b.WriteString("\n")
			}
			return b.String(), nil
		}
	}
	return s, nil
}

func loadTextTrain(c trainConfig, spec *ckpt.Spec) (*trainData, error) {
	text, err := readCorpus(c.Data)
	if err != nil {
		return nil, fmt.Errorf("--data: %w", err)
	}
	tok, err := tokenize.BuildChar([]string{text}, 1)
	if err != nil {
		return nil, fmt.Errorf("--data %s: %w", c.Data, err)
	}
	ctx := c.Context
	if spec.GPT != nil && spec.GPT.Context > 0 {
		ctx = spec.GPT.Context
	}
	stream := tok.Encode(text)
	pipe := &ckpt.DataPipeline{Format: ckpt.DataPipelineFormat, Task: taskLM, Source: "text", Context: ctx, Input: []int{ctx}}
	if pipe.Tokenizer, err = json.Marshal(tok); err != nil {
		return nil, err
	}
	cut := len(stream) - int(math.Round(c.Val*float64(len(stream))))
	td := &trainData{pipe: pipe, vocab: tok.VocabSize()}
	tr := &data.TokenWindows{Stream: stream[:cut], Context: ctx, Stride: max(1, ctx/2)}
	if tr.Len() == 0 {
		return nil, fmt.Errorf("--data %s: %d training tokens make no window of --context %d (+1)", c.Data, cut, ctx)
	}
	td.train = tr
	if va := (&data.TokenWindows{Stream: stream[cut:], Context: ctx}); va.Len() > 0 {
		td.val = va
	}
	return td, nil
}

// newOptimizer builds the --optimizer over the model's parameters.
func newOptimizer(name string, m nn.Module, lr float64) (optim.Optimizer, error) {
	ps := nn.Tensors(m)
	switch name {
	case "sgd":
		return optim.NewSGD(ps, float32(lr), 0.9)
	case "adamw":
		a, err := optim.NewAdam(ps, float32(lr))
		if err == nil {
			a.WeightDecay, a.Decoupled = 0.01, true
		}
		return a, err
	case "rmsprop":
		return optim.NewRMSProp(ps, float32(lr))
	case "adagrad":
		return optim.NewAdagrad(ps, float32(lr))
	}
	return optim.NewAdam(ps, float32(lr))
}

// newSchedule builds the --schedule; perStep says when to step it.
func newSchedule(name string, opt optim.Optimizer, lr float64, epochs, totalSteps int) (sched any, perStep bool, err error) {
	ls, ok := opt.(optim.LRSetter)
	if name == "none" {
		return nil, false, nil
	}
	if !ok {
		return nil, false, fmt.Errorf("--schedule %s: the optimizer cannot change its learning rate", name)
	}
	var s optim.Schedule
	switch name {
	case "cosine":
		s, err = optim.NewCosineAnnealingLR(lr, max(totalSteps, 1), 0)
		perStep = true
	case "onecycle":
		o := optim.DefaultOneCycleOptions()
		if _, ok := opt.(optim.MomentumSetter); !ok {
			o.CycleMomentum = false
		}
		s, err = optim.NewOneCycleLR(lr, max(totalSteps, 1), o)
		perStep = true
	case "step":
		s, err = optim.NewStepLR(lr, max(1, epochs/3), 0.1)
	}
	if err != nil {
		return nil, false, fmt.Errorf("--schedule %s: %w", name, err)
	}
	sc, err := optim.NewScheduler(ls, s)
	if err != nil {
		return nil, false, fmt.Errorf("--schedule %s: %w", name, err)
	}
	return sc, perStep, nil
}

// checkOutput compares the model's output size with the task's.
func checkOutput(spec *ckpt.Spec, pipe *ckpt.DataPipeline, vocab int) error {
	out, err := ckpt.OutputShape(spec)
	if err != nil {
		return err
	}
	if len(out) == 0 {
		return nil
	}
	last := out[len(out)-1]
	switch pipe.Task {
	case taskClassify:
		if len(out) == 1 && last != len(pipe.Classes) && !(last == 1 && len(pipe.Classes) == 2) {
			return fmt.Errorf("--spec: the model outputs %d values per sample but the data has %d classes (%s)", last, len(pipe.Classes), strings.Join(pipe.Classes, ", "))
		}
	case taskRegress:
		if prod(out) != 1 {
			return fmt.Errorf("--spec: the model outputs %v per sample; regression needs one value", out)
		}
	case taskLM:
		if last != vocab {
			return fmt.Errorf("--spec: the model outputs %d values per token but the tokenizer has %d (write num: auto / vocab: auto)", last, vocab)
		}
	}
	return nil
}

// taskMetrics are the validation metrics logged for a task. Regression
// metrics are reported in the target's own units.
func taskMetrics(p *ckpt.DataPipeline) []train.Metric {
	switch p.Task {
	case taskClassify:
		return []train.Metric{train.AccuracyMetric(), train.F1Metric(train.Macro)}
	case taskLM:
		return []train.Metric{train.PerplexityMetric()}
	}
	scale := 1.0
	if p.TargetScale != nil {
		scale = p.TargetScale[1]
	}
	scaled := func(m train.Metric, f float64) train.Metric {
		fn := m.Fn
		m.Fn = func(pr *train.Predictions) (float64, error) {
			v, err := fn(pr)
			return v * f, err
		}
		return m
	}
	return []train.Metric{scaled(train.RMSEMetric(), scale), scaled(train.MAEMetric(), scale), train.R2Metric()}
}

// mainMetric is the metric shown in the per-epoch table.
func mainMetric(task string) string {
	switch task {
	case taskClassify:
		return "val_accuracy"
	case taskLM:
		return "val_perplexity"
	}
	return "val_rmse"
}

func runTrain(o *Options, c trainConfig) error {
	if err := c.validate(); err != nil {
		return err
	}
	spec, err := readSpec(c.Spec)
	if err != nil {
		return err
	}
	td, err := loadTrainData(c, spec)
	if err != nil {
		return err
	}
	switch td.pipe.Task {
	case taskLM:
		spec.FillAuto(td.vocab, td.vocab)
	case taskClassify:
		spec.FillAuto(0, len(td.pipe.Classes))
	case taskRegress:
		spec.FillAuto(0, 1)
	}
	if len(spec.Input) == 0 && td.pipe.Input != nil && (spec.Type == "sequential" || spec.Type == "cnn") {
		spec.Input = slices.Clone(td.pipe.Input)
	}
	model, err := ckpt.Build(spec)
	if err != nil {
		return fmt.Errorf("--spec %s: %w", c.Spec, err)
	}
	if err := checkOutput(spec, td.pipe, td.vocab); err != nil {
		return err
	}
	pipeJSON, err := json.Marshal(td.pipe)
	if err != nil {
		return err
	}
	opt, err := newOptimizer(c.Optimizer, model, c.LR)
	if err != nil {
		return fmt.Errorf("--optimizer %s: %w", c.Optimizer, err)
	}
	epochs := c.Epochs
	if epochs == 0 && c.Steps == 0 {
		epochs = 10
	}
	batches := (td.train.Len() + c.Batch - 1) / c.Batch
	total := epochs * batches
	if c.Steps > 0 && (total == 0 || c.Steps < total) {
		total = c.Steps
	}
	sched, perStep, err := newSchedule(c.Schedule, opt, c.LR, epochs, total)
	if err != nil {
		return err
	}
	bar := newTrainingBar(o, total)
	callbacks := []train.Callback{&train.ProgressReporter{Batch: func(s train.Status) {
		bar.Describe(fmt.Sprintf("%s %d/%d %s %.4f", o.T("epoch"), s.Epoch, max(s.Epochs, 1), o.T("loss"), s.Loss))
		_ = bar.Set(s.Step)
	}}}
	_, stateful := opt.(optim.Stateful)
	if c.Resume != "" && !stateful {
		return fmt.Errorf("--resume: --optimizer %s cannot save its state, so a run with it cannot resume", c.Optimizer)
	}
	var best *train.BestCheckpoint
	bestEpoch := 0
	if td.val != nil {
		if stateful {
			best = &train.BestCheckpoint{Path: c.Out}
			callbacks = append(callbacks, best)
		} else {
			bestLoss := math.Inf(1)
			callbacks = append(callbacks, train.CallbackFunc(func(_ *train.Trainer, s train.Status, logs train.Logs) error {
				if v := logs["val_loss"]; v < bestLoss {
					bestLoss, bestEpoch = v, s.Epoch
					return ckpt.Save(c.Out, model, ckpt.SaveOptions{Spec: spec, Pipeline: pipeJSON})
				}
				return nil
			}))
		}
	}
	if c.EarlyStop > 0 {
		if td.val == nil {
			return errors.New("--early-stop: needs validation data (--val > 0)")
		}
		callbacks = append(callbacks, &train.EarlyStopping{Patience: c.EarlyStop})
	}
	tr, err := train.NewTrainer(model, opt, train.Options{Epochs: epochs, MaxSteps: c.Steps, BatchSize: c.Batch, Seed: c.Seed,
		Metrics: taskMetrics(td.pipe), Callbacks: callbacks, Scheduler: sched, SchedulePerStep: perStep,
		Spec: spec, Pipeline: pipeJSON})
	if err != nil {
		return err
	}
	if c.Resume != "" {
		if err := tr.Resume(c.Resume); err != nil {
			return fmt.Errorf("--resume: %w", err)
		}
	}
	start := time.Now()
	hist, err := tr.Fit(td.train, td.val)
	_ = bar.Finish()
	if err != nil {
		return err
	}
	if td.val == nil || len(hist) == 0 {
		if stateful {
			err = tr.Save(c.Out)
		} else {
			err = ckpt.Save(c.Out, model, ckpt.SaveOptions{Spec: spec, Pipeline: pipeJSON})
		}
		if err != nil {
			return err
		}
	}
	if best != nil {
		bestEpoch = best.BestEpoch()
	}
	res := TrainResult{Task: td.pipe.Task, Data: c.Data, Source: td.pipe.Source, Model: spec.Type, Parameters: nn.NumParams(model),
		TrainSamples: td.train.Len(), Optimizer: c.Optimizer, Epochs: tr.Epoch(), Steps: tr.Step(), BestEpoch: bestEpoch,
		Checkpoint: c.Out, Seconds: time.Since(start).Seconds(), Final: map[string]float64{}, History: []TrainEpoch{}}
	if td.val != nil {
		res.ValSamples = td.val.Len()
	}
	for i, l := range hist {
		res.History = append(res.History, TrainEpoch{Epoch: i + 1, Logs: l})
	}
	if len(hist) > 0 {
		res.Final = hist[len(hist)-1]
	}
	if o.JSON {
		return writeJSON(o.Out(), res)
	}
	epochT, summary := trainRunTables(o, res)
	if err := epochT.Write(o.Out()); err != nil {
		return err
	}
	fmt.Fprintln(o.Out())
	return summary.Write(o.Out())
}

// fmtLog formats a log value, or "-" when absent.
func fmtLog(l map[string]float64, k string) string {
	v, ok := l[k]
	if !ok {
		return "-"
	}
	return strconv.FormatFloat(v, 'g', 5, 64)
}

// trainRunTables renders the per-epoch logs (the best epoch marked "*")
// and a summary of the run.
func trainRunTables(o *Options, r TrainResult) (epochs, summary Table) {
	metric := mainMetric(r.Task)
	epochs = Table{Header: []string{o.T("epoch"), o.T("loss"), o.T("train.valloss"), strings.TrimPrefix(metric, "val_"), o.T("train.lr")},
		Right: map[int]bool{0: true, 1: true, 2: true, 3: true, 4: true}}
	for _, e := range r.History {
		mark := ""
		if e.Epoch == r.BestEpoch {
			mark = " *"
		}
		epochs.Rows = append(epochs.Rows, []string{itoa(e.Epoch) + mark, fmtLog(e.Logs, "loss"), fmtLog(e.Logs, "val_loss"), fmtLog(e.Logs, metric), fmtLog(e.Logs, "lr")})
	}
	summary = Table{Rows: [][]string{
		{o.T("train.task"), r.Task + " (" + r.Source + ")"},
		{o.T("train.params"), itoa(r.Parameters)},
		{o.T("train.samples"), itoa(r.TrainSamples) + " / " + itoa(r.ValSamples)},
		{o.T("train.best"), itoa(r.BestEpoch)},
		{o.T("train.out"), r.Checkpoint},
	}}
	return epochs, summary
}
