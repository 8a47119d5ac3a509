package train_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/kaiwu-ai/kaiwu/engine/ckpt"
	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/train"
)

// Train with validation metrics, early stopping and a best checkpoint,
// then open the best model from the checkpoint alone.
func ExampleTrainer() {
	ds, _ := data.TwoSpirals(150, 1.5, 0.05, 1)
	tr, va, _ := ds.Split(0.2, 2)
	spec := &ckpt.Spec{Type: "mlp", Sizes: []int{2, 32, 32, 2}, Seed: 3}
	model, _ := ckpt.Build(spec)
	opt, _ := optim.NewAdam(nn.Tensors(model), 0.01)
	dir, _ := os.MkdirTemp("", "train")
	defer os.RemoveAll(dir)
	best := &train.BestCheckpoint{Path: filepath.Join(dir, "best.safetensors"), Monitor: "val_accuracy"}
	t, _ := train.NewTrainer(model, opt, train.Options{
		Epochs: 200, BatchSize: 64, Seed: 4, Spec: spec,
		Metrics:   []train.Metric{train.AccuracyMetric()},
		Callbacks: []train.Callback{&train.EarlyStopping{Monitor: "val_loss", Patience: 5}, best},
	})
	logs, err := t.Fit(tr, va)
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := ckpt.Open(best.Path)
	acc, _ := train.Accuracy(c.Model, va)
	fmt.Println(len(logs) < 200, acc == logs[best.BestEpoch()-1]["val_accuracy"], acc > 0.9)
	// Output: true true true
}

// Metrics follow scikit-learn's definitions.
func ExamplePrecisionRecallF1() {
	p, r, f, _ := train.PrecisionRecallF1([]int{0, 1, 2, 0, 1, 2}, []int{0, 2, 1, 0, 0, 1}, train.Macro)
	fmt.Printf("%.3f %.3f %.3f\n", p, r, f)
	auc, _ := train.ROCAUC([]int{0, 0, 1, 1}, []float64{0.1, 0.4, 0.35, 0.8})
	fmt.Println(auc)
	// Output:
	// 0.222 0.333 0.267
	// 0.75
}
