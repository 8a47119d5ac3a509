package train_test

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/train"
)

// Train an MLP on the two-spirals dataset and report its test accuracy.
func ExampleFitClassifier() {
	ds, _ := data.TwoSpirals(200, 1.5, 0.02, 1)
	tr, te, _ := ds.Split(0.2, 2)
	model, _ := nn.NewMLP(tensor.NewRNG(3), 2, 64, 64, 2)
	opt, _ := optim.NewAdam(nn.Tensors(model), 0.01)
	hist, err := train.FitClassifier(model, opt, tr, train.Config{Epochs: 100, BatchSize: 32, Seed: 4}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	acc, _ := train.Accuracy(model, te)
	fmt.Println(len(hist.Loss), hist.Loss[99] < hist.Loss[0]/10, acc >= 0.95)
	// Output: 100 true true
}
