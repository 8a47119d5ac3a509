package cli

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// tinyCNN writes into dir, as cnn.yaml, the spec of a two-class CNN (one
// convolution of 4 channels, 8 hidden units) for square images of the
// given channels and size, and returns its path.
func tinyCNN(t *testing.T, dir string, channels, size int) string {
	return writeFile(t, dir, "cnn.yaml", fmt.Sprintf("type: cnn\nseed: 1\ninput: [%d, %d, %d]\ncnn: {channels: [4], hidden: [8], classes: 2}\n", channels, size, size))
}

// tabular writes a CSV of two separable classes with a numeric target,
// a category column and missing values.
func tabular(t *testing.T, dir string) string {
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString("a,b,color,label,price\n")
	for i := range 90 {
		c := i % 3
		a, bb := float64(c)+r.NormFloat64()*0.2, -float64(c)+r.NormFloat64()*0.2
		as := fmt.Sprintf("%.3f", a)
		if i%13 == 0 {
			as = "NA"
		}
		fmt.Fprintf(&b, "%s,%.3f,%s,%s,%.3f\n", as, bb, []string{"red", "blue"}[i%2], []string{"x", "y", "z"}[c], 3*a-2*bb+10)
	}
	return writeFile(t, dir, "data.csv", b.String())
}

func runJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out, stderr, err := run(t, append(args, "--json", "--threads", "1")...)
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, stderr)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%v: not JSON: %v\n%s", args, err, out)
	}
}

func TestTrainEvalPredictCSV(t *testing.T) {
	dir := t.TempDir()
	csv := tabular(t, dir)
	spec := writeFile(t, dir, "cls.yaml", "type: sequential\nseed: 1\nlayers:\n  - {type: linear, in: auto, out: 16}\n  - {type: relu}\n  - {type: linear, in: 16, out: auto}\n")
	model := filepath.Join(dir, "cls.safetensors")
	var tr TrainResult
	runJSON(t, &tr, "train", "--spec", spec, "--data", csv, "--target", "label", "--epochs", "25", "--lr", "0.02", "--out", model, "--schedule", "cosine")
	if tr.Task != "classify" || tr.Epochs != 25 || len(tr.History) != 25 || tr.BestEpoch < 1 || tr.ValSamples != 9 || tr.Final["val_accuracy"] < 0.5 {
		t.Fatalf("train result %+v", tr)
	}
	var ev EvalResult
	runJSON(t, &ev, "eval", "--model", model, "--data", csv)
	if ev.Metrics["accuracy"] < 0.8 || ev.Metrics["f1_macro"] <= 0 || len(ev.Confusion) != 3 || strings.Join(ev.Classes, ",") != "x,y,z" {
		t.Fatalf("eval %+v", ev)
	}
	in := writeFile(t, dir, "in.csv", "a,b,color,price\n2,-2,red,20\nNA,0,blue,10\n")
	var pr PredictResult
	runJSON(t, &pr, "predict", "--model", model, "--input", in)
	if len(pr.Predictions) != 2 || pr.Predictions[0].Class != "z" || len(pr.Predictions[1].Probabilities) != 3 {
		t.Fatalf("predict %+v", pr)
	}
	// The table output: per-epoch rows and the summary.
	out, _, err := run(t, "train", "--spec", spec, "--data", csv, "--target", "label", "--epochs", "2", "--out", model, "--threads", "1")
	if err != nil || !strings.Contains(out, "accuracy") || !strings.Contains(out, model) {
		t.Fatalf("train table: %v\n%s", err, out)
	}

	// Regression on the same file, an mlp over the 7 preprocessed columns.
	reg := writeFile(t, dir, "reg.yaml", "type: mlp\nseed: 2\nsizes: [7, 16, 1]\n")
	rm := filepath.Join(dir, "reg.safetensors")
	runJSON(t, &tr, "train", "--spec", reg, "--data", csv, "--target", "price", "--epochs", "30", "--lr", "0.02", "--out", rm, "--optimizer", "adamw")
	if tr.Task != "regress" || tr.Final["val_r2"] == 0 {
		t.Fatalf("regress %+v", tr)
	}
	runJSON(t, &ev, "eval", "--model", rm, "--data", csv)
	if ev.Metrics["r2"] < 0.8 || ev.Metrics["rmse"] <= 0 {
		t.Fatalf("regress eval %+v", ev.Metrics)
	}
	var rp PredictResult
	runJSON(t, &rp, "predict", "--model", rm, "--input", writeFile(t, dir, "r.csv", "a,b,color,label\n2,-2,red,z\n"))
	if v := rp.Predictions[0].Value; v == nil || *v < 14 || *v > 26 {
		t.Fatalf("regress predict %+v", rp)
	}
	// Resume continues the saved run to more epochs.
	runJSON(t, &tr, "train", "--spec", reg, "--data", csv, "--target", "price", "--epochs", "32", "--lr", "0.02", "--out", rm, "--optimizer", "adamw", "--resume", rm)
	if len(tr.History) != 32 {
		t.Fatalf("resumed run has %d epochs of history", len(tr.History))
	}
}

// writeIDX writes an MNIST-style directory of n 6×6 images of two classes
// (a bright left or right half, as halfImage draws).
func writeIDX(t *testing.T, dir string, n int) {
	for _, split := range []string{"train", "t10k"} {
		img := binary.BigEndian.AppendUint32(nil, 0x803)
		img = binary.BigEndian.AppendUint32(img, uint32(n))
		img = binary.BigEndian.AppendUint32(img, 6)
		img = binary.BigEndian.AppendUint32(img, 6)
		lab := binary.BigEndian.AppendUint32(nil, 0x801)
		lab = binary.BigEndian.AppendUint32(lab, uint32(n))
		for i := range n {
			c := i % 2
			for p := range 36 {
				img = append(img, halfLevel(c, p%6, 6, byte(20+i%7)))
			}
			lab = append(lab, byte(c))
		}
		writeFile(t, dir, split+"-images-idx3-ubyte", string(img))
		writeFile(t, dir, split+"-labels-idx1-ubyte", string(lab))
	}
}

func TestTrainIDX(t *testing.T) {
	dir := t.TempDir()
	writeIDX(t, dir, 40)
	spec := tinyCNN(t, dir, 1, 6)
	model := filepath.Join(dir, "m.safetensors")
	var tr TrainResult
	runJSON(t, &tr, "train", "--spec", spec, "--data", dir, "--epochs", "8", "--lr", "0.01", "--batch", "8", "--out", model, "--val", "0.2")
	if tr.Source != "idx" || tr.TrainSamples != 32 {
		t.Fatalf("%+v", tr)
	}
	var ev EvalResult
	runJSON(t, &ev, "eval", "--model", model, "--data", dir)
	if ev.Samples != 40 || ev.Metrics["accuracy"] < 0.9 {
		t.Fatalf("eval %+v", ev)
	}
	// An MLP takes the same images flattened.
	mlp := writeFile(t, dir, "mlp.yaml", "type: mlp\nsizes: [36, 8, 2]\n")
	runJSON(t, &tr, "train", "--spec", mlp, "--data", dir, "--steps", "5", "--out", model)
	if tr.Steps != 5 {
		t.Fatalf("steps %+v", tr)
	}
}

func TestTrainLMGenerate(t *testing.T) {
	dir := t.TempDir()
	text := strings.Repeat("床前明月光，疑是地上霜。举头望明月，低头思故乡。\n", 6)
	corpus := writeFile(t, dir, "poem.txt", text)
	spec := writeFile(t, dir, "gpt.yaml", "type: gpt\nseed: 1\ngpt: {vocab: auto, context: 12, d_model: 16, heads: 2, layers: 1}\n")
	model := filepath.Join(dir, "lm.safetensors")
	var tr TrainResult
	runJSON(t, &tr, "train", "--spec", spec, "--data", corpus, "--epochs", "15", "--lr", "0.01", "--batch", "8", "--out", model, "--val", "0.2")
	if tr.Task != "lm" || tr.Final["val_perplexity"] <= 1 {
		t.Fatalf("%+v", tr)
	}
	gen := func(seed string) string {
		out, _, err := run(t, "generate", "--model", model, "--prompt", "床前", "--tokens", "20", "--seed", seed, "--threads", "1")
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := gen("3"), gen("3")
	if a != b {
		t.Fatalf("same seed, different text:\n%s\n%s", a, b)
	}
	if !strings.HasPrefix(a, "床前") || len([]rune(strings.TrimSuffix(a, "\n"))) != 22 {
		t.Fatalf("generated %q", a)
	}
	for _, r := range a {
		if !strings.ContainsRune(text, r) {
			t.Fatalf("generated %q outside the vocabulary (in %q)", r, a)
		}
	}
	var g GenerateResult
	runJSON(t, &g, "generate", "--model", model, "--prompt", "举头", "--tokens", "5", "--temperature", "0")
	if len([]rune(g.Text)) != 5 || g.Temperature != 0 {
		t.Fatalf("%+v", g)
	}
	var ev EvalResult
	runJSON(t, &ev, "eval", "--model", model, "--data", corpus)
	if ev.Metrics["perplexity"] <= 1 || ev.Metrics["loss"] <= 0 {
		t.Fatalf("%+v", ev)
	}
	// A recurrent language model from a sequential spec.
	lstm := writeFile(t, dir, "lstm.yaml", "type: sequential\nlayers:\n  - {type: embedding, num: auto, dim: 8}\n  - {type: lstm, in: auto, hidden: 8, batch_first: true}\n  - {type: linear, in: auto, out: auto}\n")
	runJSON(t, &tr, "train", "--spec", lstm, "--data", corpus, "--steps", "3", "--out", model, "--context", "8")
	if _, _, err := run(t, "generate", "--model", model, "--prompt", "月", "--tokens", "3"); err != nil {
		t.Fatal(err)
	}
}

func TestTrainErrors(t *testing.T) {
	dir := t.TempDir()
	csv := tabular(t, dir)
	good := writeFile(t, dir, "good.yaml", "type: sequential\nlayers: [{type: linear, in: auto, out: auto}]\n")
	bad := writeFile(t, dir, "bad.yaml", "type: sequential\nlayers: [{type: linear, in: auto, out: 3}, {type: conv3d}]\n")
	typo := writeFile(t, dir, "typo.yaml", "type: sequential\nlayers: [{type: linear, in: 2, ouy: 3}]\n")
	weights := filepath.Join(dir, "w.safetensors")
	writeFile(t, dir, "w.safetensors", "")
	model := filepath.Join(dir, "m.safetensors")
	if _, _, err := run(t, "train", "--spec", good, "--data", csv, "--target", "label", "--epochs", "1", "--out", model, "--threads", "1"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--data", csv}, "--spec: required"},
		{[]string{"train", "--spec", bad, "--data", csv, "--target", "label"}, `layers[1].type: unknown layer type "conv3d"`},
		{[]string{"train", "--spec", typo, "--data", csv, "--target", "label"}, "field ouy not found"},
		{[]string{"train", "--spec", good, "--data", csv}, "--target: required"},
		{[]string{"train", "--spec", good, "--data", csv, "--target", "nope"}, `--target "nope": ` + csv + " has no such column"},
		{[]string{"train", "--spec", good, "--data", csv, "--target", "label", "--task", "cluster"}, `--task "cluster": unknown task`},
		{[]string{"train", "--spec", good, "--data", csv, "--target", "color", "--task", "regress"}, "not numbers"},
		{[]string{"train", "--spec", good, "--data", csv, "--target", "label", "--task", "lm"}, "--task lm"},
		{[]string{"train", "--spec", bad, "--data", filepath.Join(dir, "missing.csv")}, "--data"},
		{[]string{"train", "--spec", writeFile(t, dir, "m3.yaml", "type: mlp\nsizes: [3, 2]\n"), "--data", csv, "--target", "label"}, "takes [3]"},
		{[]string{"train", "--spec", good, "--data", csv, "--target", "label", "--optimizer", "lbfgs"}, "--optimizer"},
		{[]string{"eval", "--model", weights, "--data", csv}, "--model " + weights},
		{[]string{"eval", "--model", model, "--data", writeFile(t, dir, "t.txt", "hello")}, "text data"},
		{[]string{"predict", "--model", model, "--input", writeFile(t, dir, "p.csv", "a,b\n1,2\n")}, `no column "color"`},
		{[]string{"generate", "--model", model, "--prompt", "x"}, "not a language model"},
	} {
		_, _, err := run(t, append(c.args, "--threads", "1")...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
}

// TestTrainIDXClassNames: IDX files carry no class names. A directory
// named like Fashion-MNIST gets its ten names; --class-names names the
// classes of any IDX data; predict and eval print the names.
func TestTrainIDXClassNames(t *testing.T) {
	root := t.TempDir()
	fashion := filepath.Join(root, "fashion-mnist")
	plain := filepath.Join(root, "digits")
	for _, d := range []string{fashion, plain} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		writeIDX(t, d, 40)
	}
	left := writePNG(t, filepath.Join(root, "left.png"), halfImage(0, 1, 6, 6, true))
	fashionNames := "T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot"

	// Fashion-MNIST by its directory's name: ten classes, named.
	auto := writeFile(t, root, "auto.yaml", "type: sequential\nseed: 1\ninput: [1, 6, 6]\nlayers: [{type: flatten}, {type: linear, in: auto, out: auto}]\n")
	model := filepath.Join(root, "f.safetensors")
	var tr TrainResult
	runJSON(t, &tr, "train", "--spec", auto, "--data", fashion, "--steps", "3", "--batch", "8", "--out", model, "--val", "0")
	var ev EvalResult
	runJSON(t, &ev, "eval", "--model", model, "--data", fashion)
	if strings.Join(ev.Classes, ",") != fashionNames || len(ev.Confusion) != 10 {
		t.Fatalf("eval classes %v, confusion %d rows", ev.Classes, len(ev.Confusion))
	}
	var pr PredictResult
	runJSON(t, &pr, "predict", "--model", model, "--input", left)
	if p := pr.Predictions[0]; !strings.Contains(","+fashionNames+",", ","+p.Class+",") || len(p.Probabilities) != 10 {
		t.Fatalf("prediction %+v", p)
	}

	// --class-names, inline and from a file, on a directory not recognised.
	cnn := tinyCNN(t, root, 1, 6)
	names := writeFile(t, root, "names.txt", "left\n right \n\n")
	for _, flag := range []string{"left, right", "@" + names} {
		runJSON(t, &tr, "train", "--spec", cnn, "--data", plain, "--epochs", "8", "--lr", "0.01", "--batch", "8", "--out", model, "--val", "0.2", "--class-names", flag)
		pr = PredictResult{}
		runJSON(t, &pr, "predict", "--model", model, "--input", left)
		if p := pr.Predictions[0]; p.Class != "left" || len(p.Probabilities) != 2 || p.Probabilities["right"] >= 0.5 {
			t.Fatalf("--class-names %q: prediction %+v", flag, p)
		}
		ev = EvalResult{}
		runJSON(t, &ev, "eval", "--model", model, "--data", plain)
		if strings.Join(ev.Classes, ",") != "left,right" {
			t.Fatalf("--class-names %q: eval classes %v", flag, ev.Classes)
		}
	}
	out, _, err := run(t, "eval", "--model", model, "--data", plain, "--threads", "1")
	if err != nil || !strings.Contains(out, "left") || !strings.Contains(out, "right") {
		t.Fatalf("eval table: %v\n%s", err, out)
	}
	// Without names: the label numbers.
	runJSON(t, &tr, "train", "--spec", cnn, "--data", plain, "--steps", "2", "--out", model)
	ev = EvalResult{}
	runJSON(t, &ev, "eval", "--model", model, "--data", plain)
	if strings.Join(ev.Classes, ",") != "0,1" {
		t.Fatalf("eval classes without names %v", ev.Classes)
	}

	csv := tabular(t, root)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--data", plain, "--class-names", "one"}, "--class-names: 1 names, but the data has labels 0 to 1"},
		{[]string{"--data", plain, "--class-names", "a,a"}, `--class-names: "a" appears twice`},
		{[]string{"--data", plain, "--class-names", "a,,b"}, "--class-names: name 2 is empty"},
		{[]string{"--data", plain, "--class-names", "@" + filepath.Join(root, "none.txt")}, "none.txt"},
		{[]string{"--data", csv, "--target", "label", "--class-names", "a,b,c"}, "--class-names: only IDX data"},
	} {
		_, _, err := run(t, append([]string{"train", "--spec", cnn, "--steps", "1", "--out", model, "--threads", "1"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
}
