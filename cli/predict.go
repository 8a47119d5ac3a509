package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

func init() {
	addMessages(map[string][2]string{
		"predict.file": {"file", "文件"},
	})
}

// Prediction is one row of kaiwu predict --json: a class with the
// probability of every class, or a regression value. File names the
// image a row was predicted from (image inputs only).
type Prediction struct {
	Row           int                `json:"row"`
	File          string             `json:"file,omitempty"`
	Class         string             `json:"class,omitempty"`
	Probability   float64            `json:"probability,omitempty"`
	Probabilities map[string]float64 `json:"probabilities,omitempty"`
	Value         *float64           `json:"value,omitempty"`
}

// PredictResult is the JSON shape of kaiwu predict --json.
type PredictResult struct {
	Task        string       `json:"task"`
	Input       string       `json:"input"`
	Predictions []Prediction `json:"predictions"`
}

// isImage reports whether a path names a PNG or JPEG file.
func isImage(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// maxPredictImages bounds the images kaiwu predict reads from a folder.
const maxPredictImages = 100_000

// imageFiles lists the PNG and JPEG files under dir (subdirectories
// included, as an image folder for training has them), in path order;
// other files are skipped, as training skips them.
func imageFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && isImage(path) {
			if len(files) >= maxPredictImages {
				return fmt.Errorf("more than %d images", maxPredictImages)
			}
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("--input %s: %w", dir, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("--input %s: no .png or .jpg images in the folder", dir)
	}
	sort.Strings(files)
	return files, nil
}

// predictInputs turns --input into the model's input features, n rows,
// and for image inputs the file of each row.
func (t *trained) predictInputs(input string, stdin io.Reader) ([]float32, int, []string, error) {
	p := t.pipe
	var files []string
	if input != "-" {
		if st, err := os.Stat(input); err != nil {
			return nil, 0, nil, fmt.Errorf("--input: %w", err)
		} else if st.IsDir() {
			if p.Image == nil {
				return nil, 0, nil, fmt.Errorf("--input %s: a folder of images, but the model was trained on %s data", input, p.Source)
			}
			var err error
			if files, err = imageFiles(input); err != nil {
				return nil, 0, nil, err
			}
		} else if isImage(input) {
			if p.Image == nil {
				return nil, 0, nil, fmt.Errorf("--input %s: an image, but the model was trained on %s data", input, p.Source)
			}
			files = []string{input}
		}
	}
	if files != nil {
		g := p.Image
		c := 3
		if g.Gray {
			c = 1
		}
		per := c * g.Width * g.Height
		x := make([]float32, per*len(files))
		for i, f := range files {
			if err := data.ReadImage(f, g.Gray, g.Width, g.Height, data.Bilinear, x[i*per:(i+1)*per]); err != nil {
				return nil, 0, nil, fmt.Errorf("--input: %w", err)
			}
		}
		return x, len(files), files, nil
	}
	if p.Source != "csv" {
		return nil, 0, nil, fmt.Errorf("--input %s: want a PNG or JPEG image, or a folder of them, for a model trained on %s data", input, p.Source)
	}
	var tab *data.Table
	var err error
	if input == "-" {
		tab, err = data.ParseCSV(stdin, "stdin", data.CSVOptions{Header: data.HeaderYes})
	} else {
		tab, err = data.ReadCSV(input, data.CSVOptions{Header: data.HeaderYes})
	}
	if err != nil {
		return nil, 0, nil, fmt.Errorf("--input: %w", err)
	}
	x, err := t.csvFeatures(tab)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("--input %s: %w", input, err)
	}
	return x, tab.Rows(), nil, nil
}

// predict runs the model on n input rows and decodes its outputs.
func (t *trained) predict(x []float32, n int) ([]Prediction, error) {
	in, err := tensor.FromSlice(x, append([]int{n}, t.pipe.Input...)...)
	if err != nil {
		return nil, fmt.Errorf("the input does not fit the model's input %v: %w", t.pipe.Input, err)
	}
	var out *tensor.Tensor
	tensor.NoGrad(func() { out, err = t.Model.Forward(in) })
	if err != nil {
		return nil, err
	}
	if out, err = out.Contiguous(); err != nil {
		return nil, err
	}
	v := out.Data()
	k := len(v) / n
	preds := make([]Prediction, n)
	for i := range preds {
		row := v[i*k : (i+1)*k]
		preds[i].Row = i + 1
		if t.pipe.Task == taskRegress {
			y := float64(row[0])*t.pipe.TargetScale[1] + t.pipe.TargetScale[0]
			preds[i].Value = &y
			continue
		}
		probs := make([]float64, len(t.pipe.Classes))
		if k == 1 { // one logit for two classes
			p1 := 1 / (1 + math.Exp(-float64(row[0])))
			probs[0], probs[1] = 1-p1, p1
		} else {
			m := float64(row[0])
			for _, z := range row {
				m = math.Max(m, float64(z))
			}
			sum := 0.0
			for j, z := range row {
				probs[j] = math.Exp(float64(z) - m)
				sum += probs[j]
			}
			for j := range probs {
				probs[j] /= sum
			}
		}
		preds[i].Probabilities = map[string]float64{}
		best := 0
		for j, pr := range probs {
			preds[i].Probabilities[t.pipe.Classes[j]] = pr
			if pr > probs[best] {
				best = j
			}
		}
		preds[i].Class, preds[i].Probability = t.pipe.Classes[best], probs[best]
	}
	return preds, nil
}

func newPredictCommand(o *Options) *cobra.Command {
	var model, input string
	cmd := &cobra.Command{
		Use:   "predict --model CKPT --input FILE.csv|IMAGE|FOLDER|-",
		Short: T(o.Lang, "short.predict"),
		Long: `Predict with a checkpoint written by kaiwu train. --input is a CSV with a
header (the target column may be absent; "-" reads it from stdin) for a
tabular model, or a PNG/JPEG image or a folder of them (searched
recursively; other files are skipped) for an image model, one row per
image. Images are resized and converted to the model's size and channels
as the training images were. The preprocessing saved in the checkpoint is
applied first. Classifiers print the class and
the probability of every class; regressors the predicted value.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := openTrained(model)
			if err != nil {
				return err
			}
			if t.pipe.Task == taskLM {
				return fmt.Errorf("--model %s is a language model; use kaiwu generate", model)
			}
			if input == "" {
				return errors.New("--input: required (a CSV file, an image, or - for CSV on stdin)")
			}
			x, n, files, err := t.predictInputs(input, cmd.InOrStdin())
			if err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("--input %s: no rows", input)
			}
			preds, err := t.predict(x, n)
			if err != nil {
				return fmt.Errorf("--input %s: %w", input, err)
			}
			for i, f := range files {
				preds[i].File = f
			}
			res := PredictResult{Task: t.pipe.Task, Input: input, Predictions: preds}
			tab := Table{Right: map[int]bool{0: true}}
			tab.Header = []string{o.T("row")}
			if files != nil {
				tab.Header = append(tab.Header, o.T("predict.file"))
			}
			if t.pipe.Task == taskRegress {
				tab.Header = append(tab.Header, o.T("prediction"))
				tab.Right[len(tab.Header)-1] = true
			} else {
				tab.Header = append(tab.Header, o.T("class"), o.T("probability"))
				tab.Right[len(tab.Header)-1] = true
			}
			for _, p := range preds {
				row := []string{itoa(p.Row)}
				if files != nil {
					row = append(row, p.File)
				}
				if p.Value != nil {
					row = append(row, strconv.FormatFloat(*p.Value, 'g', 6, 64))
				} else {
					row = append(row, p.Class, strconv.FormatFloat(p.Probability, 'f', 4, 64))
				}
				tab.Rows = append(tab.Rows, row)
			}
			return o.render(res, tab)
		},
	}
	cmd.Flags().StringVar(&model, "model", "", "checkpoint written by kaiwu train (required)")
	cmd.Flags().StringVar(&input, "input", "", "CSV file, PNG/JPEG image, folder of images, or - for CSV on stdin (required)")
	return cmd
}
