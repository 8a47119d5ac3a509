package recipes_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/kaiwu-ai/kaiwu/engine/recipes"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// Regress house prices from a messy CSV: impute, clip, one-hot,
// z-score, then an MLP. The built-in data have a known formula, so the
// test R² is high.
func ExampleTabularRegression() {
	r, err := recipes.TabularRegression(context.Background(), recipes.TabularConfig{Epochs: 20}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Model, r.TrainSamples, r.TestSamples, r.Metric, r.TestMetric > 0.9)
	// Output: mlp 8-64-64-1 1600 400 r2 true
}

// A recipe stops when its context is done: here after its third step, as
// a dashboard's Cancel button or Ctrl-C would stop it. Every Update
// carries the learning rate of its step.
func ExampleTabularRegression_cancel() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := recipes.TabularRegression(ctx, recipes.TabularConfig{Epochs: 2}, func(u recipes.Update) {
		fmt.Println("step", u.Step, "lr", u.LR)
		if u.Step == 3 {
			cancel()
		}
	})
	fmt.Println(err)
	fmt.Println(errors.Is(err, context.Canceled))
	// Output:
	// step 1 lr 0.001
	// step 2 lr 0.001
	// step 3 lr 0.001
	// recipes: tabular-mlp: canceled at step 3 of 100 (epoch 1 of 2): context canceled
	// true
}

// The adding problem: the target is the sum of the two marked values.
func ExampleAddingProblem() {
	x, y := recipes.AddingProblem(1, 6, 1)
	sum := float32(0)
	for t := 0; t < 6; t++ {
		if x[2*t+1] == 1 {
			sum += x[2*t]
		}
	}
	fmt.Println(sum == y[0])
	// Output: true
}

// PoemShape measures how poem-like generated text is: the share of
// clauses with five or seven characters.
func ExamplePoemShape() {
	fmt.Println(recipes.PoemShape("春眠不觉晓，处处闻啼鸟。\n夜来风雨声，花落知多少。"))
	fmt.Println(recipes.PoemShape("春眠不觉晓，处处闻啼鸟鸟。"))
	// Output:
	// 1
	// 0.5
}

// The recipe's CNN has PyTorch's layer indices, so its state_dict
// names match torch.nn.Sequential's.
func ExampleNewFashionCNN() {
	m, _ := recipes.NewFashionCNN(tensor.NewRNG(1), 1, 28, 28, 10)
	for _, p := range m.Parameters() {
		fmt.Println(p.Name, p.Tensor.Shape())
	}
	// Output:
	// 0.weight [32 1 3 3]
	// 0.bias [32]
	// 3.weight [64 32 3 3]
	// 3.bias [64]
	// 7.weight [128 1600]
	// 7.bias [128]
	// 9.weight [10 128]
	// 9.bias [10]
}
